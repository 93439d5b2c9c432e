using System.Xml.Linq;
using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Lab.Reporting;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>The failover report on a fixed time series: baseline, dip, failover time, the chart's marks.</summary>
public sealed class FailoverReportTests
{
    // 100 ms intervals: 100 MB/s for 1 s, the pull at 1.0 s, 0 MB/s for 0.3 s, 50 MB/s to 2 s, 100 after; the last interval partial.
    private static readonly double[] Throughput = [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0, 0, 0, 50, 50, 50, 50, 50, 50, 50, 100, 100, 100, 5];

    private static BenchReport Report(long ioErrors = 0)
    {
        var run = FakeReports.Run(80) with
        {
            SampleIntervalSeconds = 0.1,
            TimeSeries = [.. Throughput.Select((mb, i) => new TimeSample(i * 0.1, (long)mb, mb * 10, mb, 1))],
            Failovers =
            [
                new FailoverRecord(-0.5, "10.0.0.1:3260", "10.0.1.1:3260", 2, 1, "old"),
                new FailoverRecord(1.02, "10.0.0.1:3260", "10.0.1.1:3260", 280.5, 8, "link down: keepalive unanswered"),
            ],
            IoErrors = ioErrors,
            FirstIoError = ioErrors > 0 ? "all 2 paths down" : null,
            Paths = [new PathCounters("10.0.0.1:3260", 10, 8, 1000, "active"), new PathCounters("10.0.1.1:3260", 20, 0, 2000, "active")],
        };
        var test = new TestReport
        {
            Name = "verified 64K mix",
            Metric = PrimaryMetric.MegabytesPerSecond,
            Workload = Bench.Workload.WorkloadSpec.Simple(65536, 50, 100),
            Results = [new TargetRuns { Target = 0, Runs = [run] }],
        };
        return FakeReports.Report(1, [test], repeat: 1);
    }

    private static FailoverRow Row(long ioErrors = 0) =>
        FailoverAnalysis.Analyze(Report(ioErrors), "round-robin", 0, 1.0, 2.0, "failover-round-robin.json", name => name == "10.0.0.1:3260" ? "nic0->port0" : "nic1->port1");

    [Fact]
    public void Baseline_IsTheMeanOfTheWholeIntervalsBeforeThePull()
    {
        Assert.Equal(100, Row().BaselineMegabytesPerSecond, 6);
    }

    [Fact]
    public void Dip_IsTheLowestIntervalBetweenPullAndRestore_AgainstTheBaseline()
    {
        var row = Row();

        Assert.Equal(0, row.MinMegabytesPerSecond);
        Assert.Equal(100, row.DipPercent, 6);
    }

    [Fact]
    public void Dip_LeavesOutTheFailbackAfterTheRestore_AndThePartialLastInterval()
    {
        // "Pulled" at 1.35 s (after the stall) and restored at 1.7 s: only 50 MB/s intervals lie
        // between; the 5 MB/s of the partial last interval and the stall before do not count.
        var row = FailoverAnalysis.Analyze(Report(), "round-robin", 0, 1.35, 1.7, "x.json");

        Assert.Equal(50, row.MinMegabytesPerSecond);
        Assert.Equal(1000.0 / 13, row.BaselineMegabytesPerSecond, 6);
        Assert.Equal(100 * (row.BaselineMegabytesPerSecond - 50) / row.BaselineMegabytesPerSecond, row.DipPercent, 6);
    }

    [Fact]
    public void FailoverTime_IsTheLongestFailoverFromThePullOn_NotOneBeforeIt()
    {
        var row = Row();

        Assert.Equal(280.5, row.FailoverMs);
        Assert.Equal(2, row.Failovers.Count);
        Assert.Equal(9, row.RetriedIos);
    }

    [Fact]
    public void Paths_AreNamedTheWayTheLabWiredThem()
    {
        var row = Row();

        Assert.Equal("nic0->port0", row.Failovers[1].FromPath);
        Assert.Equal("nic1->port1", row.Failovers[1].ToPath);
        Assert.Equal(["nic0->port0", "nic1->port1"], row.Paths.Select(p => p.Name));
    }

    [Fact]
    public void Table_ShowsErrorsAndTheFirstErrorAsANote()
    {
        var table = FailoverTable.Build(new FailoverReport(FakeReports.Header("failover"), [Row(), Row(ioErrors: 3) with { Policy = "failover-only", Run = 2 }]));

        Assert.Equal(["round-robin", "1.0 / 2.0", "2", "280.5", "9", "0", "0", "100.0", "0.0", "100", "80.0"], table.Rows[0]);
        Assert.Equal("failover-only #2", table.Rows[1][0]);
        Assert.Equal("3", table.Rows[1][5]);
        Assert.Contains(table.Notes, n => n == "failover-only: first application I/O error: all 2 paths down");
    }

    [Fact]
    public void Chart_IsWellFormedSvg_WithThePullRestoreAndFailoverMarked()
    {
        var svg = XDocument.Parse(FailoverPage.Chart(Row()));
        XNamespace ns = "http://www.w3.org/2000/svg";

        var labels = svg.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Contains("pull", labels);
        Assert.Contains("restore", labels);
        Assert.Single(labels, l => l == "failover");
        Assert.Single(svg.Descendants(ns + "path"));
        Assert.Contains("round-robin: MB/s per 100 ms", labels);
    }

    [Fact]
    public void Chart_WithoutSamples_SaysSo()
    {
        var svg = TimeSeriesChart.Svg("empty", "MB/s", [], [new TimeSeriesChart.Mark(1, "pull", "#c00")]);

        Assert.Contains("no data", svg, StringComparison.Ordinal);
        XDocument.Parse(svg);
    }

    [Fact]
    public void Report_RoundTripsThroughJson_WithNotMeasuredFiguresAsNaN()
    {
        var report = new FailoverReport(FakeReports.Header("failover"), [Row() with { FailoverMs = double.NaN }]);

        var json = LabReportFiles.Json(report);
        var back = LabReportFiles.ReadJson<FailoverReport>(json)!;

        Assert.Contains("\"schema\": \"storlane-lab/1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"failoverMs\": \"NaN\"", json, StringComparison.Ordinal);
        Assert.True(double.IsNaN(back.Rows[0].FailoverMs));
        Assert.Equal(Throughput.Length, back.Rows[0].Series.Count);
    }
}
