using System.Globalization;
using System.Net;

namespace Storlane.Lab.Topology.InProcess;

/// <summary>
/// Addresses of one in-process topology inside a loopback /24 of its own, 127.A.B.0/24 (A from
/// the PID, B from a per-process sequence), so concurrent runs and a `storlane serve` on
/// 127.0.0.1 never meet: storage port j's portal is 127.A.B.(1+j):3260, server NIC i's address
/// 127.A.B.(33+i), and the relay of path (i, j) listens on 127.A.B.(65+j):(3301+i).
/// </summary>
internal sealed class LoopbackPlan
{
    public const int IscsiPort = 3260;

    public LoopbackPlan(LabTopologySpec spec, int pid, int sequence)
    {
        Spec = spec;
        Network = "127." + Number(100 + (pid % 100)) + "." + Number(1 + (sequence % 250));
        var portals = new IPEndPoint[spec.StoragePorts];
        for (var j = 0; j < portals.Length; j++)
        {
            portals[j] = new IPEndPoint(Address(1 + j), IscsiPort);
        }

        var nics = new IPAddress[spec.ServerNics];
        for (var i = 0; i < nics.Length; i++)
        {
            nics[i] = Address(33 + i);
        }

        Portals = portals;
        NicAddresses = nics;
        var paths = new List<LabPath>();
        var relays = new List<IPEndPoint>();
        for (var i = 0; i < nics.Length; i++)
        {
            for (var j = 0; j < portals.Length; j++)
            {
                if (!spec.Meshed && i != j)
                {
                    continue;
                }

                var relay = new IPEndPoint(Address(65 + j), 3301 + i);
                relays.Add(relay);
                paths.Add(new LabPath(i, j, relay.Address.ToString(), relay.Port, nics[i].ToString()));
            }
        }

        Paths = paths;
        RelayEndpoints = relays;
        var portalTexts = new string[portals.Length];
        for (var j = 0; j < portals.Length; j++)
        {
            portalTexts[j] = portals[j].ToString();
        }

        PortalAddresses = portalTexts;
    }

    public LabTopologySpec Spec { get; }

    /// <summary>"127.A.B": the /24 this topology uses.</summary>
    public string Network { get; }

    public IReadOnlyList<IPEndPoint> Portals { get; }

    public IReadOnlyList<string> PortalAddresses { get; }

    public IReadOnlyList<IPAddress> NicAddresses { get; }

    /// <summary>Same order as <see cref="Paths"/>.</summary>
    public IReadOnlyList<IPEndPoint> RelayEndpoints { get; }

    public IReadOnlyList<LabPath> Paths { get; }

    private IPAddress Address(int host) => IPAddress.Parse(Network + "." + Number(host));

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
