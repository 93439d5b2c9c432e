using System.Globalization;
using Spectre.Console;
using Storlane.Bench.Statistics;
using Storlane.Bench.Suites;

namespace Storlane.Bench.Reporting;

/// <summary>
/// The seed's table (A, B, diff, diff %) plus what it lacked: the 95% confidence interval of the
/// difference, the p-value, the verdict at alpha and the minimum detectable difference.
/// </summary>
public static class CompareTable
{
    public static void Render(IAnsiConsole console, IReadOnlyList<RowComparison> rows, string labelA, string labelB, double alpha)
    {
        console.MarkupLine($"A = {Markup.Escape(labelA)}");
        console.MarkupLine($"B = {Markup.Escape(labelB)}");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("Test");
        table.AddColumn("Unit");
        foreach (var column in new[] { "A", "B", "Diff", "Diff %", "95% CI of diff", "p (Welch)", "Verdict", "Min. detectable", "Latency ms A / B", "p (Mann-Whitney)" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var row in rows)
        {
            var p = row.Primary;
            table.AddRow(
                Markup.Escape(row.Test),
                MetricValue.Unit(row.Metric),
                Number(p.MeanA, "0.00"),
                Number(p.MeanB, "0.00"),
                Number(p.Difference, "+0.00;-0.00;0.00"),
                Number(p.DifferencePercent, "+0.00;-0.00;0.00"),
                double.IsNaN(p.CiLow) ? "n/a" : Markup.Escape($"[{Number(p.CiLow, "0.00")}, {Number(p.CiHigh, "0.00")}]"),
                double.IsNaN(p.PValue) ? "n/a" : FormatP(p.PValue),
                Verdict(p.Verdict),
                double.IsNaN(p.MinimumDetectableDifference) ? "n/a" : Number(p.MinimumDetectableDifference, "0.00"),
                $"{Number(row.Latency.MeanA, "0.0000")} / {Number(row.Latency.MeanB, "0.0000")}",
                double.IsNaN(row.Latency.PValue) ? "n/a" : FormatP(row.Latency.PValue));
        }

        console.Write(table);
        console.MarkupLine($"Diff = B - A. Verdict at alpha = {alpha.ToString(CultureInfo.InvariantCulture)}; minimum detectable difference at 80% power. Runs per side: {(rows.Count > 0 ? $"{rows[0].RunsA} / {rows[0].RunsB}" : "-")}.");
        if (rows.Any(r => r.Primary.Verdict == Statistics.Verdict.NotEnoughRuns))
        {
            console.MarkupLine("[yellow]Some rows have a single run per side: run with --repeat 3 (or more) to get a verdict.[/]");
        }
    }

    private static string Verdict(Verdict verdict) => verdict switch
    {
        Statistics.Verdict.Significant => "[bold]significant[/]",
        Statistics.Verdict.NotSignificant => "not significant",
        _ => "n/a",
    };

    private static string FormatP(double p) => p < 0.0001 ? "<0.0001" : p.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Number(double value, string format) =>
        double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);
}
