using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Lab.Reporting;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>The demo's verdicts, its pulled-cable analysis, tables and page, on fixed inputs.</summary>
public sealed class DemoReportTests
{
    private const double Alpha = 0.05 / 3;

    // 100 ms intervals: I/O throughout, then three intervals with no completion around the pull at 1.0 s, and a partial last one with none.
    private static readonly long[] IosPerInterval = [50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 0, 0, 0, 20, 50, 0, 50, 50, 0];

    private static RowComparison Judge(PrimaryMetric metric, double[] a, double[] b)
    {
        var test = FakeReports.Test("row", metric, [a, b]);
        if (MetricValue.IsLatency(metric))
        {
            // FakeReports.Test holds latency constant; here the values are the latencies.
            test = test with { Results = [.. new[] { a, b }.Select((values, target) => new TargetRuns { Target = target, Runs = [.. values.Select(v => FakeReports.Run(1, 1, v))] })] };
        }

        var report = FakeReports.Report(2, [test]);
        return ReportComparer.Compare(report, report, 0, 1, Alpha)[0];
    }

    [Fact]
    public void Verdict_OfARealDifference_NamesTheFasterSide_AndTheRatio()
    {
        var row = Judge(PrimaryMetric.MegabytesPerSecond, [118, 119, 120, 119, 118], [236, 238, 240, 239, 237]);

        Assert.Equal("2 paths faster by 2.0x", DemoVerdict.Describe(row, "1 path", "2 paths"));
    }

    [Fact]
    public void Verdict_OfASmallRealDifference_IsInPercent_AndMayFavourA()
    {
        var row = Judge(PrimaryMetric.Iops, [1100, 1101, 1099, 1100], [1000, 1001, 999, 1000]);

        Assert.Equal("512 faster by 10%", DemoVerdict.Describe(row, "512", "4K"));
    }

    [Fact]
    public void Verdict_OfLatency_CallsTheLowerSideFaster()
    {
        var row = Judge(PrimaryMetric.MeanLatencyMs, [2.0, 2.1, 1.9, 2.0, 2.05, 1.95], [1.0, 1.05, 0.95, 1.0, 1.02, 0.98]);

        Assert.Equal("B faster by 2.0x", DemoVerdict.Describe(row, "A", "B"));
    }

    [Fact]
    public void Verdict_OfNoise_SaysNothingWasFoundAtThisSampleSize_AndWhatCouldHide()
    {
        var row = Judge(PrimaryMetric.Iops, [1000, 1200, 900], [1100, 950, 1150]);

        var verdict = DemoVerdict.Describe(row, "512", "4K");

        Assert.StartsWith("no difference found at this sample size; one under ", verdict, StringComparison.Ordinal);
        Assert.EndsWith("% could go unseen", verdict, StringComparison.Ordinal);
        Assert.DoesNotContain("faster", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void Verdict_OfOneRunPerSide_IsNoVerdict()
    {
        var row = Judge(PrimaryMetric.Iops, [1000], [2000]);

        Assert.StartsWith("no verdict: 1 run per side", DemoVerdict.Describe(row, "512", "4K"), StringComparison.Ordinal);
    }

    [Fact]
    public void Stall_IsTheLongestRunOfIntervalsWithoutACompletion_LeavingOutThePartialLastOne()
    {
        Assert.Equal(3, DemoFailoverAnalysis.LongestStallIntervals(Series()));
        Assert.Equal(0, DemoFailoverAnalysis.LongestStallIntervals([new TimeSample(0, 5, 50, 1, 1), new TimeSample(0.1, 0, 0, 0, 0)]));
    }

    [Fact]
    public void Failover_ReportsTheLongestIo_AndTheStallInMilliseconds()
    {
        var failover = Failover();

        Assert.Equal(312.5, failover.LongestIoMs);
        Assert.Equal(4.5, failover.P99LatencyMs);
        Assert.Equal(300, failover.LongestStallMs, 6);
        Assert.Equal(0, failover.Run.IoErrors);
        Assert.Equal("nic0->port0", failover.Run.Failovers[0].FromPath);
    }

    [Fact]
    public void ComparisonTable_HoldsBothMeans_P_AndTheVerdict_PerRow()
    {
        var table = DemoTables.Comparisons(Report());

        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(["1 path vs 2 paths\nrow, MB/s", "119.0", "238.0", "<0.0001", "2 paths faster by 2.0x"], table.Rows[0]);
        Assert.Equal("512 vs 4K\nrow, IOPS", table.Rows[1][0]);
        Assert.StartsWith("no difference found at this sample size", table.Rows[1][4], StringComparison.Ordinal);
        Assert.Contains("alpha 0.025 (Bonferroni: 0.05 shared by the 2 rows)", table.Notes[0], StringComparison.Ordinal);
    }

    [Fact]
    public void FailoverTable_SaysWhatRan_WhatWasPulled_TheGap_AndNoApplicationErrors()
    {
        var rows = DemoTables.Failover(Report()).Rows.ToDictionary(r => r[0], r => r[1]);

        Assert.Equal("verified random 64K I/O", rows["under load"]);
        Assert.Equal("nic0->port0 at 1.00 s, put back at 2.00 s", rows["cable pulled"]);
        Assert.Equal("nic0->port0 -> nic1->port1 in 280.5 ms, 8 I/O(s) retried", rows["failover"]);
        Assert.Equal("312.5 ms (99% of I/Os within 4.5 ms)", rows["longest I/O"]);
        Assert.Equal("300 ms with no I/O completed", rows["I/O gap"]);
        Assert.Equal("0 (multipath hid the pull)", rows["application I/O errors"]);
        Assert.Equal("0 in 1,000 blocks read back and checked", rows["verify errors"]);
    }

    [Fact]
    public void Page_HoldsBothTablesTheChartAndTheBenchsReports()
    {
        var html = DemoPage.Html(Report());

        Assert.Equal(1, MpioReportTests.CountOf(html, "<svg"));
        Assert.Equal(2, MpioReportTests.CountOf(html, "<table>"));
        Assert.Contains("href='paths.html'", html, StringComparison.Ordinal);
        Assert.Contains("href='failover.json'", html, StringComparison.Ordinal);
    }

    private static List<TimeSample> Series() => [.. IosPerInterval.Select((ios, i) => new TimeSample(i * 0.1, ios, ios * 10, ios, ios > 0 ? 1 : 0))];

    private static DemoFailover Failover()
    {
        var run = FakeReports.Run(80) with
        {
            SampleIntervalSeconds = 0.1,
            TimeSeries = Series(),
            MaxLatencyMs = 312.5,
            P99LatencyMs = 4.5,
            VerifiedBlocks = 1000,
            Failovers = [new FailoverRecord(1.02, "10.0.0.1:3260", "10.0.1.1:3260", 280.5, 8, "link down: connection reset")],
        };
        var test = new TestReport
        {
            Name = "verified 64K mix",
            Metric = PrimaryMetric.MegabytesPerSecond,
            Workload = Bench.Workload.WorkloadSpec.Simple(65536, 50, 100),
            Results = [new TargetRuns { Target = 0, Runs = [run] }],
        };
        var report = FakeReports.Report(1, [test], repeat: 1);
        var row = FailoverAnalysis.Analyze(report, "round-robin", 0, 1.0, 2.0, "failover.json", name => name == "10.0.0.1:3260" ? "nic0->port0" : "nic1->port1");
        return DemoFailoverAnalysis.Analyze(report, row, "verified random 64K I/O", "nic0->port0");
    }

    private static DemoReport Report()
    {
        var paths = Judge(PrimaryMetric.MegabytesPerSecond, [118, 119, 120, 119, 119], [236, 238, 240, 238, 238]);
        var sectors = Judge(PrimaryMetric.Iops, [1000, 1200, 900], [1100, 950, 1150]);
        const double alpha = 0.05 / 2;
        return new DemoReport(FakeReports.Header("demo"), alpha,
        [
            new DemoComparison("1 path", "2 paths", paths, DemoVerdict.Describe(paths, "1 path", "2 paths"), "paths.json", "paths.html"),
            new DemoComparison("512", "4K", sectors, DemoVerdict.Describe(sectors, "512", "4K"), "sectors.json", "sectors.html"),
        ], Failover());
    }
}
