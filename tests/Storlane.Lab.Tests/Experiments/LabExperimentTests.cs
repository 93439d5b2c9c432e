using Storlane.Bench.Suites;
using Storlane.Lab.Experiments;
using Storlane.Lab.Reporting;
using Storlane.Lab.Tests.Topology;
using Storlane.Lab.Topology;
using Xunit.Abstractions;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>
/// The three experiments in short mode over network namespaces (as CI runs them), checked through
/// their reports. Limits are generous: a loaded 2-core machine must pass; what is asserted is the
/// physics of the links (one 1 Gbit/s link carries at most ~119 MB/s; two carry more than one) and
/// that no I/O error reaches the application.
/// </summary>
[Collection(LabExperimentCollection.Name)]
public sealed class LabExperimentTests(ITestOutputHelper log) : IDisposable
{
    /// <summary>The payload of a 1 GbE link, as the issue states it.</summary>
    private const double GigabitPayloadMegabytesPerSecond = 119;

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    private readonly ExperimentWorkspace _workspace = new(log, "storlane-lab-test-");

    public void Dispose() => _workspace.Dispose();

    private LabRunOptions Options(string name) => new()
    {
        Short = true,
        Links = LabLinkPreference.Namespaces,
        OutputDirectory = Path.Combine(_workspace.Directory, name),
        CommandLine = "storlane lab " + name + " --short --links namespaces",
    };

    [NamespaceFact]
    public async Task SectorSize_Short_Compares512With4KAnd512e_OnEveryAnvilRow()
    {
        using var timeout = new CancellationTokenSource(Limit);

        var run = await new SectorSizeExperiment(Options("sector-size"), _workspace.Console).RunAsync(timeout.Token);

        var report = run.Report;
        Assert.Equal("namespaces", report.Header.LinkMode);
        Assert.Equal(["4K", "512e"], report.Comparisons.Select(c => c.LabelB));
        var rows = AnvilSuite.Create(1).Tests.Select(t => t.Name).ToList();
        foreach (var comparison in report.Comparisons)
        {
            Assert.Equal(rows, comparison.Rows.Select(r => r.Test));
            Assert.All(comparison.Rows, r => Assert.True(r.Primary.MeanA > 0 && r.Primary.MeanB > 0, $"{r.Test}: {r.Primary.MeanA} / {r.Primary.MeanB}"));
            Assert.All(comparison.Rows, r => Assert.Equal(2, r.RunsA));
            Assert.All(comparison.Rows, r => Assert.False(double.IsNaN(r.Primary.PValue), r.Test));
            Assert.True(File.Exists(Path.Combine(run.OutputDirectory, comparison.BenchJson)));
        }

        AssertReportFiles(run.OutputDirectory, "512 vs 4K", "512 vs 512e", "Read Seq 4MB", "Write 4K QD16");
    }

    [NamespaceFact]
    public async Task Mpio_Short_ControlRunsAtTheLinkRate_AndTwoOneToOnePathsReadFasterThanOne()
    {
        using var timeout = new CancellationTokenSource(Limit);

        var run = await new MpioExperiment(Options("mpio"), _workspace.Console).RunAsync(timeout.Token);

        var rows = run.Report.Rows.ToDictionary(r => r.Id);
        Assert.Equal(MpioConfigurations.All.Select(c => c.Id).Order(), rows.Keys.Order());
        Assert.All(rows.Values, r => Assert.True(r.SeqRead.Mean > 0 && r.SeqWrite.Mean > 0 && r.RandomRead.Mean > 0, r.Id));
        Assert.All(rows.Values, r => Assert.Equal(0, r.SeqRead.IoErrors + r.SeqWrite.IoErrors + r.RandomRead.IoErrors));

        var control = rows["D"].SeqRead.Mean;
        Assert.InRange(control, 0.8 * GigabitPayloadMegabytesPerSecond, GigabitPayloadMegabytesPerSecond);
        Assert.True(rows["C"].SeqRead.Mean > control * 1.2, $"C (2 paths, round robin) {rows["C"].SeqRead.Mean:0.0} MB/s vs D {control:0.0} MB/s");
        Assert.True(rows["G"].SeqRead.Mean > control * 1.2, $"G (2 paths, least queue depth) {rows["G"].SeqRead.Mean:0.0} MB/s vs D {control:0.0} MB/s");
        AssertReportFiles(run.OutputDirectory, "MPIO: sequential 4 MB and 4K QD16", "1 NIC to 1 port (control)", "4 NICs, full mesh, round robin");
    }

    [NamespaceFact]
    public async Task Failover_Short_EveryPolicyFailsOver_WithNoErrorReachingTheApplication()
    {
        using var timeout = new CancellationTokenSource(Limit);

        var run = await new FailoverExperiment(Options("failover"), _workspace.Console).RunAsync(timeout.Token);

        var rows = run.Report.Rows;
        Assert.Equal(FailoverExperiment.Policies, rows.Select(r => r.Policy));
        foreach (var row in rows)
        {
            Assert.Equal(0, row.IoErrors);
            Assert.Equal(0, row.VerifyErrors);
            Assert.True(row.VerifiedBlocks > 0, row.Policy + ": nothing was verified");
            Assert.NotEmpty(row.Failovers);
            Assert.InRange(row.FailoverMs, 0, 30_000);
            Assert.True(row.PullSeconds < row.RestoreSeconds, row.Policy);
            Assert.Equal(0.1, row.SampleIntervalSeconds, 6);
            var samples = (int)(FailoverExperiment.Schedule(isShort: true).Duration * 10 * 0.9);
            Assert.True(row.Series.Count >= samples, $"{row.Policy}: {row.Series.Count} samples of 100 ms, expected at least {samples}");
            Assert.True(row.BaselineMegabytesPerSecond > 0 && row.MinMegabytesPerSecond < row.BaselineMegabytesPerSecond, row.Policy);
        }

        AssertReportFiles(run.OutputDirectory, "Failover: a cable pulled mid-run", "failover-only", "least-queue-depth", "restore");
    }

    private static void AssertReportFiles(string directory, params string[] inHtml)
    {
        var html = File.ReadAllText(Path.Combine(directory, LabReportFiles.HtmlName));
        var json = File.ReadAllText(Path.Combine(directory, LabReportFiles.JsonName));
        Assert.Contains("\"linkMode\": \"namespaces\"", json, StringComparison.Ordinal);
        Assert.Contains("network namespaces", html, StringComparison.Ordinal);
        foreach (var text in inHtml)
        {
            Assert.Contains(System.Net.WebUtility.HtmlEncode(text), html, StringComparison.Ordinal);
        }
    }
}
