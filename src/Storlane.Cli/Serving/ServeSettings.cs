using Storlane.Cli.Logging;

namespace Storlane.Cli.Serving;

/// <summary>What `storlane serve` was asked to do, after command-line parsing.</summary>
/// <param name="ConfigPath">The config file as the user wrote it, or null for the built-in default.</param>
/// <param name="LogLevels">The default level and any per-category levels (--log-level info,Storlane.Target.Login=debug).</param>
internal sealed record ServeSettings(string? ConfigPath, string DataDirectory, LogLevelSpec LogLevels)
{
    /// <summary>systemd's notify socket ($NOTIFY_SOCKET) under a Type=notify unit; null otherwise.</summary>
    public string? NotifySocket { get; init; }

    /// <summary>The management API's socket when the config names none (<see cref="Configuration.StorlaneFolders.ApiSocket"/>).</summary>
    public string ApiSocket { get; init; } = Path.Combine(Path.GetFullPath(DataDirectory), "api.sock");
}
