using System.Net;
using Microsoft.Extensions.Logging;
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

    /// <summary>
    /// The target already logged each LUN as it opened it and each portal as it bound it; this adds
    /// what it did not say (wildcard portals, each target's ACL and authentication) and the ready line.
    /// </summary>
    public static void Announce(ILogger logger, TargetServerOptions options, IReadOnlyList<BoundPortal> listening)
    {
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
        }

        CliLog.Ready(logger, TargetNames(options), Endpoints(listening));
    }

    /// <summary>The ready line's facts, for systemd's STATUS= (shown by systemctl status).</summary>
    public static string ReadyStatus(TargetServerOptions options, IReadOnlyList<BoundPortal> listening) =>
        $"serving {TargetNames(options)} on {Endpoints(listening)}";

    private static string TargetNames(TargetServerOptions options) => string.Join(", ", options.Targets.Select(t => t.Name));

    private static string Endpoints(IReadOnlyList<BoundPortal> listening) => string.Join(", ", listening.Select(p => p.Endpoint.ToString()));

    private static string Authentication(TargetOptions target) => target switch
    {
        { Chap: null } => "none",
        { MutualChap: null } => $"CHAP as '{target.Chap.User}'",
        _ => $"mutual CHAP as '{target.Chap.User}', target answers as '{target.MutualChap.User}'",
    };
}
