using System.Diagnostics;
using System.Globalization;
using Storlane.Lab.Processes;

namespace Storlane.Lab.Tests.Topology;

public sealed class ChildRegistryTests
{
    [Fact]
    public void Sweep_KillsTheRecordedChildrenOfADeadLabProcess_ButNotAReusedPid()
    {
        using var orphan = Process.Start(new ProcessStartInfo("sleep", ["60"]))!;
        using var stranger = Process.Start(new ProcessStartInfo("sleep", ["60"]))!;
        var directory = Path.Combine(Path.GetTempPath(), "storlane-lab");
        Directory.CreateDirectory(directory);
        var deadLab = Processes.UnusedPid();
        var file = Path.Combine(directory, deadLab.ToString(CultureInfo.InvariantCulture) + ".children");
        try
        {
            var orphanStart = ChildRegistry.StartTime(orphan.Id);
            var strangerStart = ChildRegistry.StartTime(stranger.Id);
            Assert.NotNull(orphanStart);

            // The stranger's line carries another start time: its PID was reused by an unrelated process.
            File.WriteAllText(file, $"{orphan.Id} {orphanStart}\n{stranger.Id} {strangerStart + 1}\n");
            ChildRegistry.SweepDeadRuns();
            Assert.True(orphan.WaitForExit(TimeSpan.FromSeconds(10)), "the dead run's child still runs");
            Assert.False(stranger.HasExited, "a process whose PID merely matched was killed");
            Assert.False(File.Exists(file), "the dead run's record was kept");
        }
        finally
        {
            File.Delete(file);
            foreach (var process in new[] { orphan, stranger })
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit();
                }
            }
        }
    }
}
