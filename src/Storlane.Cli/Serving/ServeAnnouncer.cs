using System.Net;
using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Target;

namespace Storlane.Cli.Serving;

/// <summary>Logs what is served, one line per portal, target and LUN, then the ready line.</summary>
internal static class ServeAnnouncer
{
    public static void WarnBeyondLoopback(ILogger logger, TargetServerOptions options)
    {
        foreach (var portal in options.Portals)
        {
            if (!IPAddress.IsLoopback(IPAddress.Parse(portal.Address)))
            {
                CliLog.PortalBeyondLoopback(logger, portal.ToString());
            }
        }
    }

    public static void Announce(ILogger logger, TargetServerOptions options, IReadOnlyList<IPEndPoint> boundEndpoints)
    {
        for (var i = 0; i < boundEndpoints.Count; i++)
        {
            var group = i < options.Portals.Count ? options.Portals[i].Group : 1;
            CliLog.ServingPortal(logger, boundEndpoints[i].ToString(), group);
        }

        foreach (var target in options.Targets)
        {
            CliLog.ServingTarget(
                logger,
                target.Name,
                target.Alias ?? "none",
                target.AllowedInitiators.Count == 0 ? "any" : string.Join(", ", target.AllowedInitiators),
                Authentication(target));
            foreach (var lun in target.Luns)
            {
                CliLog.ServingLun(
                    logger,
                    target.Name,
                    lun.Lun,
                    lun.Backend == LunBackend.File ? $"file {lun.Path}" : "memory",
                    SizeParser.Format(lun.SizeBytes),
                    lun.LogicalBlockSize,
                    Math.Max(lun.PhysicalBlockSize, lun.LogicalBlockSize),
                    lun.ReadOnly ? "read-only" : "read-write");
            }
        }

        CliLog.Ready(
            logger,
            string.Join(", ", options.Targets.Select(t => t.Name)),
            string.Join(", ", boundEndpoints.Select(e => e.ToString())));
    }

    private static string Authentication(TargetOptions target) => target switch
    {
        { Chap: null } => "none",
        { MutualChap: null } => $"CHAP as '{target.Chap.User}'",
        _ => $"mutual CHAP as '{target.Chap.User}', target answers as '{target.MutualChap.User}'",
    };
}
