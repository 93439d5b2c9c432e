using System.Globalization;
using Storlane.Bench.Suites;
using Storlane.Lab.Experiments;

namespace Storlane.Lab.Reporting;

/// <summary>The demo's two tables: what the statistics can tell, and the cable pulled under load.</summary>
public static class DemoTables
{
    public static LabTable Comparisons(DemoReport report)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var comparison in report.Comparisons)
        {
            var row = comparison.Row;
            var format = row.Metric == PrimaryMetric.Iops ? "0" : "0.0";
            rows.Add(
            [
                comparison.Compared + "\n" + row.Test + ", " + MetricValue.Unit(row.Metric),
                Cells.Number(row.Primary.MeanA, format),
                Cells.Number(row.Primary.MeanB, format),
                Cells.PValue(row.Primary.PValue),
                comparison.Verdict,
            ]);
        }

        var runs = report.Comparisons.Count > 0 ? report.Comparisons[0].Row.RunsA : 0;
        return new LabTable("What the statistics can tell", ["A vs B, workload", "A", "B", "p", "Verdict"], rows,
        [
            $"A, B: means of {runs} run(s) of {Cells.Number(report.Header.DurationSeconds, "0.###")} s each, interleaved A B B A. p: Welch's t-test; verdicts at alpha {Cells.Number(report.Alpha, "0.####")} (Bonferroni: 0.05 shared by the {report.Comparisons.Count} rows). \"Could go unseen\": the smallest difference these runs would catch 4 times in 5.",
            $"One path carries at most {Cells.Number(LabRate.PayloadMegabytesPerSecond(report.Header.LinkBitsPerSecond), "0.0")} MB/s (its link's rate), two paths up to twice that while the CPU keeps up. The LUNs live in RAM, so their sector size has little to change.",
        ])
        {
            FirstNumberColumn = 1,
            LastNumberColumn = 3,
        };
    }

    public static LabTable Failover(DemoReport report)
    {
        var failover = report.Failover;
        var run = failover.Run;
        var interval = Cells.Number(run.SampleIntervalSeconds * 1000, "0");
        var rows = new List<IReadOnlyList<string>>
        {
            Row("under load", failover.Workload),
            Row("cable pulled", $"{failover.PulledPath} at {Cells.Number(run.PullSeconds, "0.00")} s, put back at {Cells.Number(run.RestoreSeconds, "0.00")} s"),
        };
        foreach (var record in run.Failovers)
        {
            rows.Add(Row("failover", $"{record.FromPath} -> {record.ToPath} in {Cells.Number(record.DurationMs, "0.0")} ms, {Count(record.RetriedIos)} I/O(s) retried"));
        }

        if (run.Failovers.Count == 0)
        {
            rows.Add(Row("failover", "none measured"));
        }

        rows.Add(Row("longest I/O", $"{Cells.Number(failover.LongestIoMs, "0.0")} ms (99% of I/Os within {Cells.Number(failover.P99LatencyMs, "0.0")} ms)"));
        rows.Add(Row("I/O gap", failover.LongestStallMs > 0
            ? $"{Cells.Number(failover.LongestStallMs, "0")} ms with no I/O completed"
            : $"none: I/O completed in every {interval} ms interval"));
        rows.Add(Row("throughput", $"{Cells.Number(run.BaselineMegabytesPerSecond, "0.0")} MB/s before the pull, lowest {interval} ms interval while out {Cells.Number(run.MinMegabytesPerSecond, "0.0")} MB/s"));
        rows.Add(Row("application I/O errors", Count(run.IoErrors) + (run.IoErrors == 0 ? " (multipath hid the pull)" : " (first: " + run.FirstIoError + ")")));
        rows.Add(Row("verify errors", $"{Count(run.VerifyErrors)} in {Count(run.VerifiedBlocks)} blocks read back and checked"));
        return new LabTable("A cable pulled under load", ["What", "Result"], rows,
        [
            "Failover: the failed path's last good completion to the first good one on another path (why it failed: report.json). Longest I/O: submit to completion as the application saw it, retries included. I/O gap: whole intervals without a single completion.",
        ])
        {
            FirstNumberColumn = 2,
        };
    }

    private static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static IReadOnlyList<string> Row(string what, string result) => [what, result];
}
