using System.Globalization;

namespace Storlane.Lab.Topology.Namespaces;

/// <summary>One interface of a host: its name inside its namespace and its IPv4 address.</summary>
internal sealed record HostInterface(string Name, string Address, string Subnet, int RouteTable)
{
    public const int PrefixLength = 24;

    public string AddressWithPrefix => Address + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Names and addresses of one namespaces topology, worked out before anything is created.
/// Namespace names carry the lab process's PID (slab{pid}n{seq}c/s/w), so a later run can tell
/// leftovers of a dead run from a live one. Interfaces are created directly inside their
/// namespaces, so their short names (nic0, port0, sn0, sp0, br0) never meet the host's.
/// Pathing puts pair i on 10.200.i.0/24 (port .1, NIC .2); meshing puts every port and NIC on
/// 10.201.0.0/24 (ports .1.., NICs .101..).
/// </summary>
internal sealed class NamespacePlan
{
    public const string Prefix = "slab";
    public const int IscsiPort = 3260;

    /// <summary>The switch of meshing: a Linux bridge in the switch namespace.</summary>
    public const string BridgeName = "br0";

    /// <summary>Routing tables 100+i hold the per-address routes of meshing (policy routing).</summary>
    private const int FirstRouteTable = 100;

    public NamespacePlan(LabTopologySpec spec, int pid, int sequence)
    {
        Spec = spec;
        var stem = Prefix + pid.ToString(CultureInfo.InvariantCulture) + "n" + sequence.ToString(CultureInfo.InvariantCulture);
        ServerNamespace = stem + "c";
        StorageNamespace = stem + "s";
        SwitchNamespace = spec.Meshed ? stem + "w" : null;
        var nics = new HostInterface[spec.ServerNics];
        var ports = new HostInterface[spec.StoragePorts];
        for (var i = 0; i < nics.Length; i++)
        {
            nics[i] = spec.Meshed
                ? new HostInterface(Name("nic", i), "10.201.0." + Number(101 + i), "10.201.0.0/24", FirstRouteTable + i)
                : new HostInterface(Name("nic", i), "10.200." + Number(i) + ".2", "10.200." + Number(i) + ".0/24", FirstRouteTable + i);
        }

        for (var j = 0; j < ports.Length; j++)
        {
            ports[j] = spec.Meshed
                ? new HostInterface(Name("port", j), "10.201.0." + Number(1 + j), "10.201.0.0/24", FirstRouteTable + j)
                : new HostInterface(Name("port", j), "10.200." + Number(j) + ".1", "10.200." + Number(j) + ".0/24", FirstRouteTable + j);
        }

        Nics = nics;
        Ports = ports;
        var paths = new List<LabPath>();
        if (spec.Meshed)
        {
            for (var i = 0; i < nics.Length; i++)
            {
                for (var j = 0; j < ports.Length; j++)
                {
                    paths.Add(new LabPath(i, j, ports[j].Address, IscsiPort, nics[i].Address));
                }
            }
        }
        else
        {
            for (var i = 0; i < nics.Length; i++)
            {
                paths.Add(new LabPath(i, i, ports[i].Address, IscsiPort, nics[i].Address));
            }
        }

        Paths = paths;
        var portals = new string[ports.Length];
        for (var j = 0; j < ports.Length; j++)
        {
            portals[j] = ports[j].Address + ":" + Number(IscsiPort);
        }

        PortalAddresses = portals;
    }

    public LabTopologySpec Spec { get; }

    /// <summary>The server host, where the initiator and the bench run.</summary>
    public string ServerNamespace { get; }

    /// <summary>The storage host, where the target listens.</summary>
    public string StorageNamespace { get; }

    /// <summary>The switch (a bridge) of meshing; null for pathing.</summary>
    public string? SwitchNamespace { get; }

    public IReadOnlyList<HostInterface> Nics { get; }

    public IReadOnlyList<HostInterface> Ports { get; }

    public IReadOnlyList<LabPath> Paths { get; }

    public IReadOnlyList<string> PortalAddresses { get; }

    /// <summary>The switch's end of NIC i's cable (meshing).</summary>
    public static string SwitchSideOfNic(int nic) => Name("sn", nic);

    /// <summary>The switch's end of port j's cable (meshing).</summary>
    public static string SwitchSideOfPort(int port) => Name("sp", port);

    /// <summary>Every namespace of the plan, in creation order.</summary>
    public IReadOnlyList<string> Namespaces => SwitchNamespace is null
        ? [ServerNamespace, StorageNamespace]
        : [ServerNamespace, StorageNamespace, SwitchNamespace];

    /// <summary>The PID a lab namespace name carries, or null when the name is not one of ours.</summary>
    public static int? OwnerPid(string namespaceName)
    {
        if (!namespaceName.StartsWith(Prefix, StringComparison.Ordinal) || namespaceName.Length < Prefix.Length + 4)
        {
            return null;
        }

        var last = namespaceName[^1];
        if (last is not ('c' or 's' or 'w'))
        {
            return null;
        }

        var body = namespaceName.AsSpan(Prefix.Length, namespaceName.Length - Prefix.Length - 1);
        var n = body.IndexOf('n');
        if (n <= 0
            || !int.TryParse(body[..n], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !int.TryParse(body[(n + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return null;
        }

        return pid;
    }

    private static string Name(string stem, int index) => stem + Number(index);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
