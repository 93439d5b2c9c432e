using System.Globalization;

namespace Storlane.Lab.Processes;

/// <summary>
/// Remembers the lab's children on disk ({temp}/storlane-lab/{lab PID}.children, one "PID
/// start-time" per line), so that a later run can stop the children of a lab process that died
/// without cleaning up (SIGKILL): a `storlane serve` left behind would hold its portals forever.
/// The start time (field 22 of /proc/PID/stat) guards against a PID the system has since reused.
/// </summary>
internal static class ChildRegistry
{
    private const string Extension = ".children";
    private static readonly Lock Gate = new();

    private static string Directory => Path.Combine(Path.GetTempPath(), "storlane-lab");

    private static string OwnFile => Path.Combine(Directory, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + Extension);

    /// <summary>Records a child just started; best effort (a read-only temp directory only loses the sweep).</summary>
    public static void Record(int pid)
    {
        if (!OperatingSystem.IsLinux() || StartTime(pid) is not { } started)
        {
            return;
        }

        try
        {
            lock (Gate)
            {
                System.IO.Directory.CreateDirectory(Directory);
                File.AppendAllText(OwnFile, pid.ToString(CultureInfo.InvariantCulture) + " " + started.ToString(CultureInfo.InvariantCulture) + "\n");
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Forgets this process's children (they are stopped): called when the lab process ends normally.</summary>
    public static void ForgetOwn()
    {
        try
        {
            lock (Gate)
            {
                File.Delete(OwnFile);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Kills (by PID) the children recorded by lab processes that are gone, and removes their records.</summary>
    public static void SweepDeadRuns()
    {
        if (!OperatingSystem.IsLinux() || !System.IO.Directory.Exists(Directory))
        {
            return;
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            if (!int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var labPid)
                || labPid == Environment.ProcessId
                || PosixSignals.IsAlive(labPid))
            {
                continue;
            }

            try
            {
                foreach (var line in File.ReadAllLines(file))
                {
                    var parts = line.Split(' ');
                    if (parts.Length == 2
                        && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                        && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var started)
                        && StartTime(pid) == started)
                    {
                        PosixSignals.Send(pid, PosixSignals.SigKill);
                    }
                }

                File.Delete(file);
            }
            catch (IOException)
            {
                // Another run is sweeping the same file.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks after boot), or null when there is no such process.</summary>
    internal static long? StartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        const int StartTimeAfterName = 22 - 3;
        return fields.Length > StartTimeAfterName && long.TryParse(fields[StartTimeAfterName], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }
}
