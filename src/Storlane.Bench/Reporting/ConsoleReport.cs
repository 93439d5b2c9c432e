using System.Globalization;
using Spectre.Console;
using Storlane.Bench.Metrics;
using Storlane.Bench.Suites;

namespace Storlane.Bench.Reporting;

/// <summary>
/// The results table: one row per test and target, means over the repeats (± standard deviation of
/// the row's metric). When any run had I/O errors or failovers, the table gains their columns (sums
/// over the repeats) and each failover is listed below it.
/// </summary>
public static class ConsoleReport
{
    /// <summary>Terminal width from which the table shows every column.</summary>
    public const int WideLayoutColumns = 140;

    private static readonly (string Header, Func<TestMeasurement, double> Value, string Format, bool WideOnly)[] Columns =
    [
        ("IOPS", m => m.Iops, "0", false),
        ("MB/s", m => m.MegabytesPerSecond, "0.00", false),
        ("Mean ms", m => m.MeanLatencyMs, "0.0000", false),
        ("p50 ms", m => m.P50LatencyMs, "0.0000", true),
        ("p99 ms", m => m.P99LatencyMs, "0.0000", false),
        ("p99.9 ms", m => m.P999LatencyMs, "0.0000", true),
        ("Max ms", m => m.MaxLatencyMs, "0.0000", false),
        ("CPU %", m => m.CpuPercent, "0.0", true),
        ("IOPS/%CPU", m => m.IopsPerCpuPercent, "0", true),
    ];

    public static void Render(IAnsiConsole console, BenchReport report)
    {
        console.MarkupLine($"[bold]storlane bench[/] {Markup.Escape(report.Suite)} · {report.Repeat} run(s) per test · Storlane {Markup.Escape(report.StorlaneVersion)}");
        for (var t = 0; t < report.Targets.Count; t++)
        {
            var target = report.Targets[t];
            var direct = target.Kind is "file" or "block-device" ? (target.DirectIo ? ", O_DIRECT" : ", page cache") : "";
            var paths = target.PathPolicy is null ? "" : $", {target.Paths.Count} paths, {target.PathPolicy}";
            console.MarkupLine($"  {Label(t)} = {Markup.Escape(target.Spec)} ({target.LogicalBlockSize}/{target.PhysicalBlockSize}-byte sectors, {target.SizeBytes / (1 << 20)} MiB{direct}{Markup.Escape(paths)})");
        }

        var faults = report.Tests.SelectMany(t => t.Results).SelectMany(r => r.Runs).Any(m => m.IoErrors > 0 || m.Failovers.Count > 0);

        // Every column needs about 140 terminal columns; narrower, the table keeps the ones a reader
        // looks at first and numbers never wrap (the rest is in --json, --csv and --html).
        var wide = console.Profile.Width >= WideLayoutColumns;
        var columns = Columns.Where(c => wide || !c.WideOnly).ToList();
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("Test");
        if (report.Targets.Count > 1)
        {
            table.AddColumn("Target");
        }

        table.AddColumn(new TableColumn("Result").RightAligned().NoWrap());
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(column.Header).RightAligned().NoWrap());
        }

        if (faults)
        {
            table.AddColumn(new TableColumn("I/O errors").RightAligned().NoWrap());
            table.AddColumn(new TableColumn("Failovers").RightAligned().NoWrap());
        }

        foreach (var test in report.Tests)
        {
            foreach (var result in test.Results.Where(r => r.Runs.Count > 0))
            {
                var cells = new List<string> { Markup.Escape(test.Name) };
                if (report.Targets.Count > 1)
                {
                    cells.Add(Label(result.Target));
                }

                cells.Add(Primary(result.Runs, test.Metric));
                foreach (var column in columns)
                {
                    cells.Add(Mean(result.Runs, column.Value, column.Format));
                }

                if (faults)
                {
                    cells.Add(result.Runs.Sum(m => m.IoErrors).ToString(CultureInfo.InvariantCulture));
                    cells.Add(result.Runs.Sum(m => m.Failovers.Count).ToString(CultureInfo.InvariantCulture));
                }

                table.AddRow([.. cells]);
            }
        }

        console.Write(table);
        if (!wide)
        {
            console.MarkupLine("p50, p99.9, CPU % and IOPS/%CPU: in a terminal of 140 columns or more, and in --json, --csv and --html.");
        }

        ListFaults(console, report);
        WarnAboutVerify(console, report);
        if (report.Partial is { } partial)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(partial.Describe())}[/]");
        }
    }

    public static string Label(int target) => ((char)('A' + target)).ToString();

    private static string Primary(IReadOnlyList<TestMeasurement> runs, PrimaryMetric metric)
    {
        var values = runs.Select(m => MetricValue.Of(m, metric)).ToArray();
        var mean = values.Average();
        var text = mean.ToString(metric == PrimaryMetric.Iops ? "0" : "0.00", CultureInfo.InvariantCulture) + " " + MetricValue.Unit(metric);
        if (values.Length > 1)
        {
            var sd = MathNet.Numerics.Statistics.Statistics.StandardDeviation(values);
            text += " ± " + sd.ToString(metric == PrimaryMetric.Iops ? "0" : "0.00", CultureInfo.InvariantCulture);
        }

        return "[bold]" + text + "[/]";
    }

    private static string Mean(IReadOnlyList<TestMeasurement> runs, Func<TestMeasurement, double> value, string format) =>
        runs.Average(value).ToString(format, CultureInfo.InvariantCulture);

    private static void ListFaults(IAnsiConsole console, BenchReport report)
    {
        foreach (var test in report.Tests)
        {
            foreach (var result in test.Results)
            {
                for (var run = 0; run < result.Runs.Count; run++)
                {
                    var m = result.Runs[run];
                    var where = $"{test.Name}" + (report.Targets.Count > 1 ? $" on {Label(result.Target)}" : "") + $", run {run + 1}";
                    foreach (var f in m.Failovers)
                    {
                        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                            $"{where}: failover at {f.AtSeconds:0.000} s from {f.FromPath} to {f.ToPath} in {f.DurationMs:0.0} ms, {f.RetriedIos} I/O(s) retried ({f.Reason})")));
                    }

                    if (m.IoErrors > 0)
                    {
                        console.MarkupLine($"[red]{Markup.Escape(where)}: {m.IoErrors} I/O error(s); first: {Markup.Escape(m.FirstIoError ?? "")}[/]");
                    }
                }
            }
        }
    }

    private static void WarnAboutVerify(IAnsiConsole console, BenchReport report)
    {
        foreach (var test in report.Tests)
        {
            foreach (var run in test.Results.SelectMany(r => r.Runs).Where(m => m.VerifyErrors > 0))
            {
                console.MarkupLine($"[red]{Markup.Escape(test.Name)}: {run.VerifyErrors} block(s) failed verify; first: {Markup.Escape(run.FirstVerifyError ?? "")}[/]");
            }
        }
    }
}
