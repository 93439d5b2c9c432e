using System.Runtime.InteropServices;

namespace Storlane.Lab.Processes;

/// <summary>Sends signals by PID (kill(2)); .NET offers only SIGKILL through Process.Kill.</summary>
internal static partial class PosixSignals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process is gone or the call failed.</summary>
    public static bool Send(int pid, int signal)
    {
        if (pid <= 0 || OperatingSystem.IsWindows())
        {
            return false;
        }

        return Kill(pid, signal) == 0;
    }

    /// <summary>True when a process with this PID exists (kill with signal 0 checks without sending).</summary>
    public static bool IsAlive(int pid) => pid > 0 && (Directory.Exists("/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture)) || Send(pid, 0));

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
