using Storlane.Lab.Experiments;
using Storlane.Lab.Topology;
using Xunit.Abstractions;

namespace Storlane.Lab.Tests.Experiments;

/// <summary><c>storlane demo</c>'s experiment over in-process links: no root needed, so it runs everywhere.</summary>
[Collection(LabExperimentCollection.Name)]
public sealed class DemoExperimentTests(ITestOutputHelper log) : IDisposable
{
    private readonly ExperimentWorkspace _workspace = new(log, "storlane-demo-test-");

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task Demo_InProcess_Compares512With4K_AndSurvivesThePulledCableWithoutErrors()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var options = new LabRunOptions { Short = true, Links = LabLinkPreference.InProcess, OutputDirectory = _workspace.Directory, CommandLine = "storlane demo" };

        var run = await new DemoExperiment(options, _workspace.Console).RunAsync(timeout.Token);

        var report = run.Report;
        Assert.Equal("in-process", report.Header.LinkMode);
        Assert.Equal(10, report.Comparison.Rows.Count);
        Assert.All(report.Comparison.Rows, r => Assert.True(r.Primary.MeanA > 0 && r.Primary.MeanB > 0, r.Test));
        Assert.Equal("Write Seq 4MB", report.Pull.Test);
        Assert.Equal("512", report.Pull.Lun);
        Assert.True(report.Pull.PullSeconds < report.Pull.RestoreSeconds);
        Assert.NotEmpty(report.Pull.Failovers);
        Assert.Equal(0, report.Pull.IoErrors);
        Assert.True(File.Exists(run.HtmlPath));
        Assert.True(File.Exists(Path.Combine(_workspace.Directory, "bench.html")));
        Assert.Contains("Report: " + run.HtmlPath, _workspace.ConsoleText, StringComparison.Ordinal);
    }
}
