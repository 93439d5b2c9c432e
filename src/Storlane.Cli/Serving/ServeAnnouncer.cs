using System.Net;
using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Target;
using Storlane.Target.Portals;

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

    public static void Announce(ILogger logger, TargetServerOptions options, IReadOnlyList<BoundPortal> listening)
    {
        foreach (var portal in listening)
        {
            CliLog.ServingPortal(logger, portal.Endpoint.ToString(), portal.Group);
        }

        foreach (var portal in options.Portals)
        {
            if (portal.IsWildcard)
            {
                CliLog.WildcardPortal(logger, portal.ToString());
            }
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
                    lun.Backend == LunBackend.Memory ? "memory" : $"{lun.Backend.ToString().ToLowerInvariant()} {lun.Path}",
                    SizeParser.Format(lun.SizeBytes),
                    lun.LogicalBlockSize,
                    Math.Max(lun.PhysicalBlockSize, lun.LogicalBlockSize),
                    lun.ReadOnly ? "read-only" : "read-write");
            }
        }

        CliLog.Ready(
            logger,
            string.Join(", ", options.Targets.Select(t => t.Name)),
            string.Join(", ", listening.Select(p => p.Endpoint.ToString())));
    }

    private static string Authentication(TargetOptions target) => target switch
    {
        { Chap: null } => "none",
        { MutualChap: null } => $"CHAP as '{target.Chap.User}'",
        _ => $"mutual CHAP as '{target.Chap.User}', target answers as '{target.MutualChap.User}'",
    };
}
