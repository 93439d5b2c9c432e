namespace Storlane.Cli.Configuration;

/// <summary>
/// Where Storlane keeps files when not told: never the current directory (a source tree included).
/// The service's LUN images go to systemd's state directory ($STATE_DIRECTORY, /var/lib/storlane with
/// the unit's StateDirectory=storlane); a user's to $XDG_DATA_HOME/storlane (default
/// ~/.local/share/storlane, per the XDG Base Directory spec), lab reports to its reports/ folder.
/// </summary>
internal static class StorlaneFolders
{
    public const string Rule = "$STATE_DIRECTORY when run as the systemd service, else $XDG_DATA_HOME/storlane (default ~/.local/share/storlane)";

    /// <summary>The default --data-dir of <c>serve</c>.</summary>
    public static string Data(Func<string, string?> environment)
    {
        // systemd may list several state directories separated by ':'; the unit asks for one.
        if (environment("STATE_DIRECTORY") is { Length: > 0 } state)
        {
            return state.Split(':')[0];
        }

        return UserData(environment);
    }

    /// <summary>The default --output of a lab experiment or the demo: a fresh folder per run.</summary>
    public static string Reports(Func<string, string?> environment, string experiment, DateTimeOffset now) =>
        Path.Combine(UserData(environment), "reports", experiment + "-" + now.UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));

    public const string ApiSocketRule = "$RUNTIME_DIRECTORY/api.sock when run as the systemd service, else $XDG_RUNTIME_DIR/storlane/api.sock, else api.sock in the data folder";

    /// <summary>
    /// The socket serve's management API listens on when the config names none: systemd's runtime
    /// directory (RuntimeDirectory=storlane), else the user's runtime dir (XDG Base Directory spec,
    /// owner-only by definition), else beside the data it serves.
    /// </summary>
    public static string ApiSocket(Func<string, string?> environment, string dataDirectory)
    {
        if (environment("RUNTIME_DIRECTORY") is { Length: > 0 } runtime)
        {
            return Path.Combine(runtime.Split(':')[0], "api.sock");
        }

        // The spec: a relative XDG_RUNTIME_DIR is invalid and is ignored.
        if (environment("XDG_RUNTIME_DIR") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "storlane", "api.sock");
        }

        return Path.Combine(Path.GetFullPath(dataDirectory), "api.sock");
    }

    /// <summary>
    /// Where a client looks for a running serve, in order: the places <see cref="ApiSocket"/> would
    /// pick for a serve started in this environment, then the system service's
    /// (/run/storlane, for an admin's shell that has no $RUNTIME_DIRECTORY).
    /// </summary>
    public static IReadOnlyList<string> ApiSocketCandidates(Func<string, string?> environment)
    {
        var candidates = new List<string> { ApiSocket(environment, Data(environment)) };
        foreach (var more in new[] { "/run/storlane/api.sock", Path.Combine(Data(environment), "api.sock") })
        {
            if (!candidates.Contains(more))
            {
                candidates.Add(more);
            }
        }

        return candidates;
    }

    public static string? FromProcess(string name) => Environment.GetEnvironmentVariable(name);

    private static string UserData(Func<string, string?> environment)
    {
        // The spec: a relative XDG_DATA_HOME is invalid and is ignored.
        if (environment("XDG_DATA_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "storlane");
        }

        if (!OperatingSystem.IsWindows() && environment("HOME") is { Length: > 0 } home)
        {
            return Path.Combine(home, ".local", "share", "storlane");
        }

        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return local.Length > 0 ? Path.Combine(local, "storlane") : Path.GetFullPath("storlane-data");
    }
}
