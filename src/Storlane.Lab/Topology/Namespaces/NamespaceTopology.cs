using System.Net;
using System.Net.Sockets;
using Storlane.Lab.Processes;

namespace Storlane.Lab.Topology.Namespaces;

/// <summary>
/// The storage host and the server host as network namespaces joined by veth pairs (pathing) or
/// through a bridge in a third namespace (meshing), every link rate-limited with tc tbf in both
/// directions. Everything lives inside the namespaces, so deleting them removes links and qdiscs.
/// </summary>
internal sealed class NamespaceTopology : ILabTopology, ILabHostAccess, IEmergencyCleanup
{
    private static int _sequence;

    private readonly NamespacePlan _plan;
    private readonly TbfSettings _tbf;
    private readonly LabProcessSet _children;
    private readonly List<string> _createdNamespaces = [];
    private readonly Lock _gate = new();
    private readonly Lock _removal = new();
    private readonly Action<string>? _beforeStep;

    private NamespaceTopology(NamespacePlan plan, StorlaneExecutable storlane, Action<string>? beforeStep)
    {
        _plan = plan;
        _beforeStep = beforeStep;
        _tbf = TbfSettings.For(plan.Spec.LinkBitsPerSecond);
        _children = new LabProcessSet(storlane, this);
        var wiring = plan.Spec.Meshed
            ? $"meshing {plan.Spec.ServerNics} NICs x {plan.Spec.StoragePorts} ports through a bridge on one subnet"
            : $"pathing {plan.Spec.ServerNics} 1:1 veth pairs, one subnet each";
        Description = $"network namespaces {plan.ServerNamespace}/{plan.StorageNamespace}, {wiring}, tc tbf {plan.Spec.RateText} per link and direction";
    }

    public LabLinkMode Mode => LabLinkMode.Namespaces;

    public string Description { get; }

    public IReadOnlyList<string> PortalAddresses => _plan.PortalAddresses;

    public IReadOnlyList<LabPath> Paths => _plan.Paths;

    internal NamespacePlan Plan => _plan;

    /// <summary>Builds the topology; on any failure the part already built is removed before the exception leaves.</summary>
    public static Task<NamespaceTopology> CreateAsync(LabTopologySpec spec, StorlaneExecutable storlane, CancellationToken cancellationToken) =>
        CreateAsync(spec, storlane, beforeStep: null, cancellationToken);

    /// <summary>As above; <paramref name="beforeStep"/> sees the name of each build step first (tests make one fail).</summary>
    internal static async Task<NamespaceTopology> CreateAsync(LabTopologySpec spec, StorlaneExecutable storlane, Action<string>? beforeStep, CancellationToken cancellationToken)
    {
        await LeftoverSweeper.SweepAsync(cancellationToken).ConfigureAwait(false);
        var plan = new NamespacePlan(spec, Environment.ProcessId, Interlocked.Increment(ref _sequence) - 1);
        var topology = new NamespaceTopology(plan, storlane, beforeStep);
        LabCleanup.Track(topology);
        try
        {
            await topology.BuildAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await topology.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return topology;
    }

    public async Task SetServerNicAsync(int nic, bool up, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_children.IsClosed, this);
        if (nic < 0 || nic >= _plan.Nics.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(nic), nic, $"the topology has server NICs 0 to {_plan.Nics.Count - 1}");
        }

        var device = _plan.Nics[nic];
        var server = _plan.ServerNamespace;
        if (!up)
        {
            // Like a pulled cable: the NIC loses its link, its peer loses carrier, and the kernel
            // drops the NIC's routes, so new connections from its address fail at once. Linux
            // leaves open TCP connections to stall until timers expire; an OS that acts on media
            // disconnect (Windows, whose MPIO the seed measures) fails them at once, and so do we:
            // ss -K aborts every TCP socket bound to the NIC's address, and the initiator sees it.
            await IpAsync(server, ["link", "set", device.Name, "down"], cancellationToken).ConfigureAwait(false);
            await HostCommand.RunAsync("ip", ["netns", "exec", server, "ss", "-K", "-t", "-n", "src", device.Address], cancellationToken).ConfigureAwait(false);
            return;
        }

        await IpAsync(server, ["link", "set", device.Name, "up"], cancellationToken).ConfigureAwait(false);

        // IPv4 addresses survive a down/up and the kernel restores the subnet route, but the
        // policy routes of meshing were flushed with the link: put back whatever is missing.
        await IpAsync(server, ["addr", "replace", device.AddressWithPrefix, "dev", device.Name], cancellationToken).ConfigureAwait(false);
        await TcAsync(server, ["qdisc", "replace", "dev", device.Name, "root", .. _tbf.Arguments], cancellationToken).ConfigureAwait(false);
        if (_plan.Spec.Meshed)
        {
            await AddSourceRouteAsync(server, device, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<LabProcess> StartTargetAsync(string configPath, CancellationToken cancellationToken) =>
        _children.StartTargetAsync(InNamespace(_plan.StorageNamespace), configPath, PortalEndpoints(), this, cancellationToken);

    public Task<LabProcess> StartOnServerAsync(IReadOnlyList<string> storlaneArguments, CancellationToken cancellationToken) =>
        _children.StartAsync(InNamespace(_plan.ServerNamespace), storlaneArguments, cancellationToken);

    public T RunOnServerHost<T>(Func<T> start) => NamespaceThread.Run(_plan.ServerNamespace, start);

    public T RunOnStorageHost<T>(Func<T> start) => NamespaceThread.Run(_plan.StorageNamespace, start);

    public async ValueTask DisposeAsync()
    {
        await _children.CloseAsync().ConfigureAwait(false);

        // Also after an emergency cleanup: this waits until that one has finished, so a caller
        // that disposes and then exits never cuts a half-done removal short.
        await Task.Run(RemoveNamespaces).ConfigureAwait(false);
        LabCleanup.Untrack(this);
    }

    void IEmergencyCleanup.CleanupNow()
    {
        _children.CloseWithoutStopping();
        RemoveNamespaces();
    }

    /// <summary>
    /// Deletes the namespaces still listed, newest first. Callers (DisposeAsync, a signal handler,
    /// process exit) may race: the lock makes each wait for the one in progress, and a namespace
    /// leaves the list only once it is gone.
    /// </summary>
    private void RemoveNamespaces()
    {
        lock (_removal)
        {
            while (true)
            {
                string name;
                lock (_gate)
                {
                    if (_createdNamespaces.Count == 0)
                    {
                        return;
                    }

                    name = _createdNamespaces[^1];
                }

                LeftoverSweeper.Remove(name);
                lock (_gate)
                {
                    _createdNamespaces.Remove(name);
                }
            }
        }
    }

    /// <summary>The wrapper that runs a child inside <paramref name="namespaceName"/>.</summary>
    private static string[] InNamespace(string namespaceName) => ["ip", "netns", "exec", namespaceName];

    private IReadOnlyList<IPEndPoint> PortalEndpoints()
    {
        var endpoints = new IPEndPoint[_plan.Ports.Count];
        for (var j = 0; j < endpoints.Length; j++)
        {
            endpoints[j] = new IPEndPoint(IPAddress.Parse(_plan.Ports[j].Address), NamespacePlan.IscsiPort);
        }

        return endpoints;
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        foreach (var name in _plan.Namespaces)
        {
            _beforeStep?.Invoke("namespace " + name);
            await HostCommand.RunAsync("ip", ["netns", "add", name], cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _createdNamespaces.Add(name);
            }

            await IpAsync(name, ["link", "set", "lo", "up"], cancellationToken).ConfigureAwait(false);
            await HostCommand.RunAsync(
                "ip",
                [
                    "netns", "exec", name, "sysctl", "-q", "-e", "-w",

                    // Several NICs on one subnet: answer ARP only on the interface that owns the
                    // address and announce with it, and do not drop replies that arrive on a NIC
                    // the main table would not have chosen (RFC 1122 3.3.4.2 "strong host").
                    "net.ipv4.conf.all.arp_ignore=1",
                    "net.ipv4.conf.all.arp_announce=2",
                    "net.ipv4.conf.all.rp_filter=0",
                    "net.ipv4.conf.default.rp_filter=0",

                    // No IPv6 chatter (router solicitations, DAD) on the measured links.
                    "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1",
                ],
                cancellationToken).ConfigureAwait(false);
        }

        if (_plan.SwitchNamespace is { } switchNamespace)
        {
            await IpAsync(switchNamespace, ["link", "add", NamespacePlan.BridgeName, "type", "bridge"], cancellationToken).ConfigureAwait(false);
            await IpAsync(switchNamespace, ["link", "set", NamespacePlan.BridgeName, "up"], cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < _plan.Nics.Count; i++)
            {
                await CableAsync(_plan.ServerNamespace, _plan.Nics[i], switchNamespace, NamespacePlan.SwitchSideOfNic(i), null, cancellationToken).ConfigureAwait(false);
            }

            for (var j = 0; j < _plan.Ports.Count; j++)
            {
                await CableAsync(_plan.StorageNamespace, _plan.Ports[j], switchNamespace, NamespacePlan.SwitchSideOfPort(j), null, cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < _plan.Nics.Count; i++)
            {
                await AddSourceRouteAsync(_plan.ServerNamespace, _plan.Nics[i], cancellationToken).ConfigureAwait(false);
            }

            for (var j = 0; j < _plan.Ports.Count; j++)
            {
                await AddSourceRouteAsync(_plan.StorageNamespace, _plan.Ports[j], cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            for (var i = 0; i < _plan.Nics.Count; i++)
            {
                await CableAsync(_plan.ServerNamespace, _plan.Nics[i], _plan.StorageNamespace, _plan.Ports[i].Name, _plan.Ports[i], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One cable: a veth pair from <paramref name="host"/>'s interface to its peer (the storage
    /// port of pathing, or a bridge port of the switch when <paramref name="peer"/> is null),
    /// addressed, up, and rate-limited at the egress of both ends, so each direction of the link
    /// carries at most the link rate.
    /// </summary>
    private async Task CableAsync(string hostNamespace, HostInterface host, string peerNamespace, string peerName, HostInterface? peer, CancellationToken cancellationToken)
    {
        _beforeStep?.Invoke("cable " + host.Name);
        await HostCommand.RunAsync(
            "ip",
            ["link", "add", "name", host.Name, "netns", hostNamespace, "type", "veth", "peer", "name", peerName, "netns", peerNamespace],
            cancellationToken).ConfigureAwait(false);
        await IpAsync(hostNamespace, ["addr", "add", host.AddressWithPrefix, "dev", host.Name], cancellationToken).ConfigureAwait(false);
        if (peer is not null)
        {
            await IpAsync(peerNamespace, ["addr", "add", peer.AddressWithPrefix, "dev", peerName], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await IpAsync(peerNamespace, ["link", "set", peerName, "master", NamespacePlan.BridgeName], cancellationToken).ConfigureAwait(false);
        }

        await TcAsync(hostNamespace, ["qdisc", "replace", "dev", host.Name, "root", .. _tbf.Arguments], cancellationToken).ConfigureAwait(false);
        await TcAsync(peerNamespace, ["qdisc", "replace", "dev", peerName, "root", .. _tbf.Arguments], cancellationToken).ConfigureAwait(false);
        await IpAsync(hostNamespace, ["link", "set", host.Name, "up"], cancellationToken).ConfigureAwait(false);
        await IpAsync(peerNamespace, ["link", "set", peerName, "up"], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Policy routing for several interfaces on one subnet: traffic from an interface's address
    /// looks up that interface's own table, which reaches the subnet only through it and is
    /// unreachable otherwise, so a socket bound to NIC i's address never leaves through NIC k
    /// (and replies from port j leave through port j).
    /// </summary>
    private static async Task AddSourceRouteAsync(string namespaceName, HostInterface device, CancellationToken cancellationToken)
    {
        var table = device.RouteTable.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await IpAsync(namespaceName, ["route", "replace", device.Subnet, "dev", device.Name, "src", device.Address, "table", table], cancellationToken).ConfigureAwait(false);
        await IpAsync(namespaceName, ["route", "replace", "unreachable", "default", "table", table], cancellationToken).ConfigureAwait(false);
        var rules = await HostCommand.RunAsync("ip", ["-n", namespaceName, "rule", "show", "from", device.Address], cancellationToken).ConfigureAwait(false);
        if (!rules.Contains("lookup " + table, StringComparison.Ordinal))
        {
            await IpAsync(namespaceName, ["rule", "add", "from", device.Address, "table", table, "priority", table], cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task<string> IpAsync(string namespaceName, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        HostCommand.RunAsync("ip", ["-n", namespaceName, .. arguments], cancellationToken);

    private static Task<string> TcAsync(string namespaceName, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        HostCommand.RunAsync("tc", ["-n", namespaceName, .. arguments], cancellationToken);
}
