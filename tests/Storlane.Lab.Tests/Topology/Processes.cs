using System.Globalization;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Tests.Topology;

/// <summary>Process checks for the tests.</summary>
internal static class Processes
{
    public static bool PidIsAlive(int pid) =>
        File.Exists(StatPath(pid)) && !File.ReadAllText(StatPath(pid)).Contains(") Z ", StringComparison.Ordinal);

    /// <summary>A PID no process holds now, high above the ones in use: stands for a lab run that died.</summary>
    public static int UnusedPid()
    {
        for (var pid = 3_999_999; ; pid--)
        {
            if (!Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)))
            {
                return pid;
            }
        }
    }

    /// <summary>Waits up to 10 s until <paramref name="child"/> has printed <paramref name="text"/>.</summary>
    public static async Task WaitForOutputAsync(LabProcess child, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!child.StandardOutput.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{text}' not printed: {child.StandardOutput}{child.StandardError}");
            await Task.Delay(20);
        }
    }

    private static string StatPath(int pid) => "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat";
}
