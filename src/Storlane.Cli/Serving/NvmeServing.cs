using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Nvme.Target;
using Storlane.Target;

namespace Storlane.Cli.Serving;

/// <summary>
/// Starts NVMe/TCP beside iSCSI over the same logical units: an I/O port (4420) and a discovery port
/// (8009) at the address of each portal it serves, each in the portal's group (its ANA state follows
/// the group's ALUA state). By default only loopback portals get it, like the default iSCSI config.
/// Portals added or removed live get or lose their NVMe/TCP ports with their iSCSI one
/// (<see cref="ConfigReloader"/> applies <see cref="Portals"/> of the new config).
/// </summary>
internal static class NvmeServing
{
    /// <summary>The running NVMe/TCP server, or null when none is configured or (by default) it could not bind.</summary>
    public static async Task<NvmeTcpServer?> StartAsync(ServeConfig config, IscsiTargetServer iscsi, ILoggerFactory loggerFactory, ILogger logger, CancellationToken cancellationToken)
    {
        var settings = config.Nvme;
        if (settings.Mode == NvmeListenMode.Off)
        {
            return null;
        }

        // Started even with no portal to serve yet: a portal added live gets its NVMe/TCP ports then.
        var options = Options(config, iscsi);
        var server = new NvmeTcpServer(options, loggerFactory);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch (SocketException e) when (settings.Mode == NvmeListenMode.Loopback)
        {
            // The default must not stop iSCSI from serving (say another target holds 4420).
            await server.DisposeAsync().ConfigureAwait(false);
            CliLog.NvmeNotServed(logger, e.Message);
            return null;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static NvmeTargetOptions Options(ServeConfig config, IscsiTargetServer iscsi)
    {
        var settings = config.Nvme;
        var options = new NvmeTargetOptions { Limits = settings.Limits };
        options.Portals.AddRange(Portals(config));
        foreach (var target in config.Target.Targets)
        {
            if (iscsi.TargetDevice(target.Name) is not { } device)
            {
                continue;
            }

            var nqn = settings.NqnByTarget.GetValueOrDefault(target.Name) ?? NvmeTargetOptions.DeriveNqn(target.Name);
            var hosts = settings.AllowedHostsByTarget.GetValueOrDefault(target.Name) ?? [];
            options.Subsystems.Add(new NvmeSubsystemOptions(nqn, device, hosts));
        }

        return options;
    }

    /// <summary>The NVMe/TCP ports <paramref name="config"/>'s portals get: an I/O and a discovery port per portal address served.</summary>
    internal static List<NvmePortal> Portals(ServeConfig config)
    {
        var settings = config.Nvme;
        var portals = new List<NvmePortal>();
        if (settings.Mode == NvmeListenMode.Off)
        {
            return portals;
        }

        var seen = new HashSet<(string, bool)>();
        foreach (var portal in config.Target.Portals)
        {
            var address = IPAddress.Parse(portal.Address);
            if (settings.Mode == NvmeListenMode.Loopback && !IPAddress.IsLoopback(address))
            {
                continue;
            }

            // A portal on an ephemeral port (tests) gets ephemeral NVMe ports, so runs side by side never collide.
            var ioPort = portal.Port == 0 ? 0 : settings.Port;
            var discoveryPort = portal.Port == 0 ? 0 : settings.DiscoveryPort;
            if (seen.Add((portal.Address, false)) || ioPort == 0)
            {
                portals.Add(new NvmePortal(portal.Address, ioPort, portal.Group, false));
            }

            if (settings.DiscoveryPort != 0 && (seen.Add((portal.Address, true)) || discoveryPort == 0))
            {
                portals.Add(new NvmePortal(portal.Address, discoveryPort, portal.Group, true));
            }
        }

        return portals;
    }
}
