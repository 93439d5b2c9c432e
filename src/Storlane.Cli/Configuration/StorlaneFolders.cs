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
