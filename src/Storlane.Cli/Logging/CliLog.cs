using Microsoft.Extensions.Logging;

namespace Storlane.Cli.Logging;

/// <summary>Every line `storlane serve` logs, source-generated so no message is formatted unless it is written.</summary>
internal static partial class CliLog
{
    [LoggerMessage(6001, LogLevel.Information, "config: {Source}, LUN files under {DataDirectory}")]
    public static partial void ConfigLoaded(ILogger logger, string source, string dataDirectory);

    [LoggerMessage(6002, LogLevel.Warning, "portal {Portal} is not on loopback: initiators on the network can reach it (the config asks for it)")]
    public static partial void PortalBeyondLoopback(ILogger logger, string portal);

    [LoggerMessage(6004, LogLevel.Information, "target: {Name} (alias {Alias}; initiators: {Initiators}; authentication: {Authentication})")]
    public static partial void ServingTarget(ILogger logger, string name, string alias, string initiators, string authentication);

    /// <summary>The line scripts and the interop tests wait for: every portal is bound and every LUN open.</summary>
    [LoggerMessage(6006, LogLevel.Information, "ready: {Targets} on {Endpoints}")]
    public static partial void Ready(ILogger logger, string targets, string endpoints);

    [LoggerMessage(6007, LogLevel.Information, "{Signal} received: stopping (in-flight commands finish or abort, LUN files are flushed; signal again to exit at once)")]
    public static partial void Stopping(ILogger logger, string signal);

    [LoggerMessage(6008, LogLevel.Information, "stopped", EventName = "ServeStopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(6009, LogLevel.Error, "stop did not finish cleanly")]
    public static partial void StopFailed(ILogger logger, Exception exception);

    [LoggerMessage(6010, LogLevel.Information, "portal {Portal} follows the host's addresses: listeners open and close as addresses come and go")]
    public static partial void WildcardPortal(ILogger logger, string portal);

    [LoggerMessage(6011, LogLevel.Information, "SIGHUP: reloading {Path} (portals, ALUA states, LUNs, ACLs and CHAP change live)")]
    public static partial void Reloading(ILogger logger, string path);

    [LoggerMessage(6012, LogLevel.Information, "reloaded: now listening on {Endpoints}; {Changes}")]
    public static partial void Reloaded(ILogger logger, string endpoints, string changes);

    [LoggerMessage(6013, LogLevel.Error, "reload refused, nothing changed: {Reason}")]
    public static partial void ReloadRefused(ILogger logger, string reason);

    [LoggerMessage(6014, LogLevel.Information, "SIGHUP ignored: serving the built-in default, there is no config file to reload")]
    public static partial void ReloadWithoutFile(ILogger logger);

    [LoggerMessage(6015, LogLevel.Warning, "cannot notify systemd through {Socket}: {Reason}")]
    public static partial void NotifyFailed(ILogger logger, string socket, string reason);

    [LoggerMessage(6016, LogLevel.Error, "reload applied in part: the portals are reloaded, but a LUN could not grow: {Reason}")]
    public static partial void ReloadGrowFailed(ILogger logger, string reason);

    [LoggerMessage(6017, LogLevel.Warning, "NVMe/TCP is not served: {Reason} (iSCSI serves on; set nvme: enabled: false to silence this)")]
    public static partial void NvmeNotServed(ILogger logger, string reason);

    [LoggerMessage(6040, LogLevel.Warning, "NVMe/TCP does not listen on {Portal}: {Reason} (its iSCSI portal serves on)")]
    public static partial void NvmePortalNotServed(ILogger logger, string portal, string reason);
}
