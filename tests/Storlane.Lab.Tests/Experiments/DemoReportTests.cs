using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Lab.Reporting;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>The demo's pull analysis and table on fixed inputs.</summary>
public sealed class DemoReportTests
{
    /// <summary>Two rows, two LUNs, two repeats; each run's MB/s encodes (row, target, repetition) as row*100 + target*10 + repetition.</summary>
    private static BenchReport Report()
    {
        TestReport Row(int row, string name) => new()
        {
            Name = name,
            Metric = PrimaryMetric.MegabytesPerSecond,
            Workload = Bench.Workload.WorkloadSpec.Simple(4096, 100, 0),
            Results = [.. Enumerable.Range(0, 2).Select(target => new TargetRuns
            {
                Target = target,
                Runs = [.. Enumerable.Range(0, 2).Select(rep => FakeReports.Run((row * 100) + (target * 10) + rep) with
                {
                    Failovers = row == 1 && rep == 0 ? [new FailoverRecord(0.3, "127.0.0.2:3261", "127.0.0.1:3260", 12, 2, "link down: connection reset")] : [],
                })],
            })],
        };
        return FakeReports.Report(2, [Row(0, "Read Seq 4MB"), Row(1, "Write Seq 4MB")]);
    }

    [Theory]
    [InlineData(1, "Read Seq 4MB", 0, 0)]
    [InlineData(2, "Read Seq 4MB", 1, 0)]
    [InlineData(3, "Read Seq 4MB", 1, 1)]
    [InlineData(4, "Read Seq 4MB", 0, 1)]
    [InlineData(5, "Write Seq 4MB", 0, 0)]
    [InlineData(8, "Write Seq 4MB", 0, 1)]
    public void FindRun_CountsRunsAsTheBenchRunsThem_RowByRow_ABThenBA(int run, string test, int target, int repetition)
    {
        var (name, foundTarget, measurement) = DemoPullAnalysis.FindRun(Report(), run);

        Assert.Equal(test, name);
        Assert.Equal(target, foundTarget);
        Assert.Equal((test == "Read Seq 4MB" ? 0 : 100) + (target * 10) + repetition, measurement.MegabytesPerSecond);
    }

    [Fact]
    public void FindRun_PastTheLastRun_SaysHowManyThereAre()
    {
        var error = Assert.Throws<InvalidDataException>(() => DemoPullAnalysis.FindRun(Report(), 9));

        Assert.Contains("8 runs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_GathersEveryFailoverWithItsTestAndLun()
    {
        var pull = DemoPullAnalysis.Analyze(Report(), 5, ["512", "4K"], "nic1->port1", 0.3, 0.8, name => name == "127.0.0.2:3261" ? "nic1->port1" : "nic0->port0");

        Assert.Equal("Write Seq 4MB", pull.Test);
        Assert.Equal("512", pull.Lun);
        Assert.Equal(2, pull.Failovers.Count);
        Assert.All(pull.Failovers, f => Assert.Equal("nic1->port1", f.Failover.FromPath));
        Assert.Equal(["512", "4K"], pull.Failovers.Select(f => f.Lun));
        Assert.Equal(0, pull.IoErrors);
    }

    [Fact]
    public void PullTable_SaysWhatWasPulled_TheFailovers_AndNoApplicationErrors()
    {
        var pull = DemoPullAnalysis.Analyze(Report(), 5, ["512", "4K"], "nic1->port1", 0.3, 0.8);
        var comparison = new SectorComparison("512", "4K", "bench.json", "bench.html", ReportComparer.Compare(Report(), Report(), 0, 1));
        var table = DemoTables.Pull(new DemoReport(FakeReports.Header("demo"), comparison, pull));

        Assert.Equal("nic1->port1 during 'Write Seq 4MB' on the 512 LUN, 0.30 s into the run", table.Rows[0][1]);
        Assert.Equal("2", table.Rows[2][1]);
        Assert.Equal("127.0.0.2:3261 -> 127.0.0.1:3260 in 12.0 ms, 2 I/O(s) retried (link down; in 'Write Seq 4MB')", table.Rows[3][1]);
        Assert.StartsWith("0 (none", table.Rows[^1][1], StringComparison.Ordinal);
    }

    [Fact]
    public void Page_HoldsBothTablesAChartAndTheBenchsReport()
    {
        var pull = DemoPullAnalysis.Analyze(Report(), 5, ["512", "4K"], "nic1->port1", 0.3, 0.8);
        var comparison = new SectorComparison("512", "4K", "bench.json", "bench.html", ReportComparer.Compare(Report(), Report(), 0, 1));

        var html = DemoPage.Html(new DemoReport(FakeReports.Header("demo"), comparison, pull), "bench.html");

        Assert.Equal(1, MpioReportTests.CountOf(html, "<svg"));
        Assert.Equal(2, MpioReportTests.CountOf(html, "<table>"));
        Assert.Contains("href='bench.html'", html, StringComparison.Ordinal);
    }
}
