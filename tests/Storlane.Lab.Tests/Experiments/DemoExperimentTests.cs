using Storlane.Bench.Statistics;
using Storlane.Lab.Experiments;
using Storlane.Lab.Topology;
using Xunit.Abstractions;

namespace Storlane.Lab.Tests.Experiments;

/// <summary><c>storlane demo</c>'s experiment over in-process links, as a first run runs it: no root needed, so it runs everywhere.</summary>
[Collection(LabExperimentCollection.Name)]
public sealed class DemoExperimentTests(ITestOutputHelper log) : IDisposable
{
    private readonly ExperimentWorkspace _workspace = new(log, "storlane-demo-test-");

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task Demo_FindsTwoPathsFaster_Judges512Against4K_AndSurvivesACablePulledUnderLoadWithoutErrors()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var options = new LabRunOptions { Links = LabLinkPreference.InProcess, OutputDirectory = _workspace.Directory, CommandLine = "storlane demo" };

        var run = await new DemoExperiment(options, _workspace.Console).RunAsync(timeout.Token);

        var report = run.Report;
        Assert.Equal("in-process", report.Header.LinkMode);
        Assert.Equal(["1 path vs 2 paths", "512 vs 4K", "512 vs 4K"], report.Comparisons.Select(c => c.Compared));
        Assert.All(report.Comparisons, c => Assert.Equal(DemoExperiment.DefaultRepeat, c.Row.RunsA));

        // Two 1 Gbit/s links against one: a real difference, found, in the right direction.
        var paths = report.Comparisons[0];
        Assert.Equal(Verdict.Significant, paths.Row.Primary.Verdict);
        Assert.True(paths.Row.Primary.MeanB > paths.Row.Primary.MeanA);
        Assert.StartsWith("2 paths faster by ", paths.Verdict, StringComparison.Ordinal);

        // Whatever the runs show for 512 vs 4K, the words match the statistics.
        foreach (var sectors in report.Comparisons.Skip(1))
        {
            Assert.True(sectors.Row.Primary.MeanA > 0 && sectors.Row.Primary.MeanB > 0, sectors.Row.Test);
            Assert.Equal(sectors.Row.Primary.Verdict == Verdict.Significant, sectors.Verdict.Contains(" faster by ", StringComparison.Ordinal));
        }

        // The cable was pulled while I/O ran: completions before the pull and while the cable was out, a failover after it, nothing lost.
        var failover = report.Failover.Run;
        Assert.True(failover.PullSeconds < failover.RestoreSeconds);
        Assert.Contains(failover.Series, s => s.StartSeconds + failover.SampleIntervalSeconds <= failover.PullSeconds && s.Ios > 0);
        Assert.Contains(failover.Series, s => s.StartSeconds >= failover.PullSeconds && s.StartSeconds + failover.SampleIntervalSeconds <= failover.RestoreSeconds && s.Ios > 0);
        Assert.Contains(failover.Failovers, f => f.AtSeconds >= failover.PullSeconds - failover.SampleIntervalSeconds && f.FromPath == "nic0->port0");
        Assert.True(report.Failover.LongestIoMs > 0);
        Assert.Equal(0, failover.IoErrors);
        Assert.Equal(0, failover.VerifyErrors);
        Assert.True(failover.VerifiedBlocks > 0);

        Assert.True(File.Exists(run.HtmlPath));
        Assert.True(File.Exists(Path.Combine(_workspace.Directory, "paths.html")));
        Assert.Contains("Report: " + run.HtmlPath, _workspace.ConsoleText, StringComparison.Ordinal);
    }
}
