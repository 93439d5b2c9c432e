using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Nvme.Target;

namespace Storlane.Cli.Serving;

/// <summary>
/// NVMe/TCP follows the portal list like iSCSI: a portal added live gets its I/O and discovery ports,
/// one removed loses them (<see cref="NvmeTcpServer.UpdatePortals"/>). LUNs need nothing here: the NVM
/// subsystems follow their target devices' inventories themselves.
/// </summary>
internal sealed partial class ConfigReloader
{
    /// <summary>The NVMe/TCP server serving beside iSCSI, or null when there is none.</summary>
    public NvmeTcpServer? Nvme { get; init; }

    /// <summary>
    /// Applies the NVMe/TCP ports of <paramref name="wanted"/>'s portals, after the iSCSI ones were applied.
    /// A port that cannot be bound is, by default (loopback mode), a warning, as at start where NVMe/TCP
    /// never stops iSCSI from serving; with <c>nvme: enabled: true</c> it refuses the change: the running
    /// config's ports, iSCSI's and NVMe's, are put back and the reasons returned.
    /// </summary>
    private string? ApplyNvmePortals(ServeConfig wanted)
    {
        if (Nvme is not { } nvme)
        {
            return null;
        }

        var failures = nvme.UpdatePortals(NvmeServing.Portals(wanted));
        if (failures.Count == 0)
        {
            return null;
        }

        if (wanted.Nvme.Mode == NvmeListenMode.Loopback)
        {
            foreach (var (portal, error) in failures)
            {
                CliLog.NvmePortalNotServed(_logger, portal.ToString(), $"{error.SocketErrorCode}: {error.Message}");
            }

            return null;
        }

        var reasons = new List<string>();
        foreach (var (portal, error) in failures)
        {
            reasons.Add($"NVMe/TCP portal {portal}: cannot listen ({error.SocketErrorCode}: {error.Message})");
        }

        foreach (var (portal, error) in nvme.UpdatePortals(NvmeServing.Portals(_served)))
        {
            reasons.Add($"and NVMe/TCP portal {portal} of the running config could not listen again ({error.SocketErrorCode}: {error.Message})");
        }

        foreach (var (portal, error) in _server.UpdatePortals(_served.Target.Portals))
        {
            reasons.Add($"and portal {portal} of the running config could not listen again ({error.SocketErrorCode}: {error.Message})");
        }

        return string.Join("; ", reasons);
    }
}
