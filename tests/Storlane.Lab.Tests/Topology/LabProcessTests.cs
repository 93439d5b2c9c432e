using System.Diagnostics;
using Storlane.Lab.Processes;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Tests.Topology;

public sealed class LabProcessTests
{
    [Fact]
    public async Task Stop_SendsSigtermByPid_AndAWillingProcessEndsWithinTheGrace()
    {
        var child = LabProcess.Start(Shell("echo started; exec sleep 60"));
        await Processes.WaitForOutputAsync(child, "started");
        var stopwatch = Stopwatch.StartNew();
        await child.StopAsync(TimeSpan.FromSeconds(20));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"SIGTERM did not end sleep; it took {stopwatch.Elapsed}");
        Assert.Equal(128 + PosixSignals.SigTerm, await child.Exited);
        Assert.False(Processes.PidIsAlive(child.Pid));
    }

    [Fact]
    public async Task Stop_SendsSigkillAfterTheGrace_WhenSigtermIsIgnored()
    {
        var child = LabProcess.Start(Shell("trap '' TERM; echo started; exec sleep 60"));
        await Processes.WaitForOutputAsync(child, "started");
        var stopwatch = Stopwatch.StartNew();
        await child.StopAsync(TimeSpan.FromMilliseconds(500));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(450), "SIGKILL came before the grace ran out");
        Assert.Equal(128 + PosixSignals.SigKill, await child.Exited);
        Assert.False(Processes.PidIsAlive(child.Pid));
    }

    [Fact]
    public async Task Output_IsCaptured_AndTheExitCodeReported()
    {
        await using var child = LabProcess.Start(Shell("echo out; echo err >&2; exit 3"));
        Assert.Equal(3, await child.Exited.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("out\n", child.StandardOutput);
        Assert.Equal("err\n", child.StandardError);
    }

    [Fact]
    public async Task StorlaneExecutable_StartsTheStorlaneBuiltNextToTheLab()
    {
        var storlane = StorlaneExecutable.Resolve();
        await using var child = LabProcess.Start(storlane.CreateStartInfo([], ["--help"]));
        Assert.Equal(0, await child.Exited.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("serve", child.StandardOutput, StringComparison.Ordinal);
        Assert.EndsWith("storlane.dll", storlane.LeadingArguments[^1], StringComparison.Ordinal);
    }

    private static ProcessStartInfo Shell(string script)
    {
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        return info;
    }
}
