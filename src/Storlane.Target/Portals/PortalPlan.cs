using System.Net;
using System.Net.Sockets;

namespace Storlane.Target.Portals;

/// <summary>One endpoint a portal should listen on now.</summary>
/// <param name="PortalIndex">The configured portal it comes from (its order in the config).</param>
public readonly record struct PlannedEndpoint(IPEndPoint Endpoint, int PortalIndex);

/// <summary>
/// Which endpoints the configured portals stand for, given the host's current addresses. A portal
/// with a literal address is always planned (binding tells whether the address exists yet); a
/// wildcard portal expands to every address of its family (and interface), so a NIC added later
/// gets a listener and a removed one loses it.
/// </summary>
public static class PortalPlan
{
    public static List<PlannedEndpoint> Compute(IReadOnlyList<PortalOptions> portals, IReadOnlyList<LocalAddress> addresses)
    {
        var planned = new List<PlannedEndpoint>();
        var seen = new HashSet<PlannedEndpoint>();
        for (var i = 0; i < portals.Count; i++)
        {
            var portal = portals[i];
            var address = IPAddress.Parse(portal.Address);
            if (!portal.IsWildcard)
            {
                Add(planned, seen, new IPEndPoint(address, portal.Port), i);
                continue;
            }

            foreach (var local in addresses)
            {
                if (local.Address.AddressFamily != address.AddressFamily
                    || (portal.Interface is not null && !string.Equals(portal.Interface, local.InterfaceName, StringComparison.Ordinal))
                    || !IsServable(local.Address))
                {
                    continue;
                }

                Add(planned, seen, new IPEndPoint(local.Address, portal.Port), i);
            }
        }

        return planned;
    }

    /// <summary>
    /// IPv6 link-local addresses need a scope id that a TargetAddress cannot carry usefully
    /// (RFC 7143 13.8 names a host, not an interface of the initiator), so they are not served.
    /// </summary>
    private static bool IsServable(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork || !(address.IsIPv6LinkLocal || address.IsIPv6Multicast);

    /// <summary>The same address on two interfaces is one endpoint. (Port 0 stays 0 here: the key of a listener is what was asked for, not the ephemeral port it got.)</summary>
    private static void Add(List<PlannedEndpoint> planned, HashSet<PlannedEndpoint> seen, IPEndPoint endpoint, int portalIndex)
    {
        var entry = new PlannedEndpoint(endpoint, portalIndex);
        if (seen.Add(entry))
        {
            planned.Add(entry);
        }
    }
}
