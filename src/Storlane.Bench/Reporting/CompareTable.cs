using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Storlane.Bench.Statistics;
using Storlane.Bench.Suites;

namespace Storlane.Bench.Reporting;

/// <summary>
/// <c>bench compare</c> on the console, laid out for a 100-column terminal: one table for each
/// row's figure (Welch's t) and one for mean latency (Mann-Whitney), differences and intervals in
/// percent of A, raw and Holm-adjusted p side by side, and a verdict in words that says which side
/// is faster and by how much. Numbers never wrap; test names and verdicts wrap at spaces on narrower screens.
/// </summary>
public static class CompareTable
{
    public static void Render(IAnsiConsole console, IReadOnlyList<RowComparison> rows, string labelA, string labelB, double alpha)
    {
        console.MarkupLine($"A = {Markup.Escape(labelA)}");
        console.MarkupLine($"B = {Markup.Escape(labelB)}");
        var family = rows.Count > 0 ? rows[0].Family : 0;

        var figures = NewTable("Test", "Unit", "A", "B", "B-A ±95% CI", "p", "p Holm", "Verdict");
        foreach (var row in rows)
        {
            var r = row.Primary;
            var format = row.Metric == PrimaryMetric.Iops ? "0" : row.Metric == PrimaryMetric.MeanLatencyMs ? "0.000" : "0.0";
            figures.AddRow(
                Text(row.Test), Text(MetricValue.Unit(row.Metric)), Text(Number(r.MeanA, format)), Text(Number(r.MeanB, format)),
                Text(Interval(r)), Text(P(r.PValue)), Text(P(r.AdjustedPValue)),
                Verdict(r, CompareVerdict.HigherIsFaster(row.Metric), row, family, alpha));
        }

        console.Write(new Rule("[bold]Each test's figure[/] (Welch's t; Mann-Whitney for latency rows)").LeftJustified());
        console.Write(figures);

        var latencies = NewTable("Test", "A ms", "B ms", "B-A", "p", "p Holm", "Verdict");
        foreach (var row in rows)
        {
            var r = row.Latency;
            latencies.AddRow(
                Text(row.Test), Text(Number(r.MeanA, "0.0000")), Text(Number(r.MeanB, "0.0000")), Text(Percent(r.DifferencePercent)),
                Text(P(r.PValue)), Text(P(r.AdjustedPValue)), Verdict(r, higherIsFaster: false, row, family, alpha));
        }

        console.Write(new Rule("[bold]Mean latency[/] (Mann-Whitney)").LeftJustified());
        console.Write(latencies);
        foreach (var note in Notes(rows, alpha))
        {
            console.MarkupLine(Markup.Escape(note));
        }
    }

    /// <summary>The footnotes: what the columns mean, runs per side, and what too few runs cost.</summary>
    public static IReadOnlyList<string> Notes(IReadOnlyList<RowComparison> rows, double alpha)
    {
        var family = rows.Count > 0 ? rows[0].Family : 0;
        var notes = new List<string>
        {
            Invariant($"B-A in percent of A, ± the half-width of its 95% confidence interval. p: each row alone; p Holm: adjusted over the {family} rows, as they are judged together. ")
                + Invariant($"Verdict at alpha = {alpha} on p Holm; 'could miss' is the smallest difference these runs catch 4 times in 5 (80% power)."),
            rows.Count > 0 ? Invariant($"Runs per side: {rows[0].RunsA} / {rows[0].RunsB}.") : "No rows.",
        };
        if (rows.Any(r => r.Primary.Verdict == Statistics.Verdict.CannotBeSignificant || r.Latency.Verdict == Statistics.Verdict.CannotBeSignificant))
        {
            var runs = rows[0].RunsA;
            notes.Add(Invariant($"Mann-Whitney ranks runs: with {runs} per side its p cannot go below {MannWhitneyTest.MinimumPValue(rows[0].RunsA, rows[0].RunsB):0.000}, whatever the difference. ")
                + Invariant($"Below {alpha} needs {CompareVerdict.RunsNeeded(1, alpha)} runs per side for one row, {CompareVerdict.RunsNeeded(family, alpha)} for {family} rows (--repeat)."));
        }

        if (rows.Any(r => r.Primary.Verdict == Statistics.Verdict.NotEnoughRuns))
        {
            notes.Add("Some rows have a single run per side: run with --repeat 3 (or more) to get a verdict.");
        }

        return notes;
    }

    private static Table NewTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (var c = 0; c < columns.Length; c++)
        {
            var column = new TableColumn(columns[c]);
            var text = c == 0 || c == columns.Length - 1 || columns[c] == "Unit";
            table.AddColumn(text ? column : column.RightAligned().NoWrap());
        }

        return table;
    }

    private static Markup Verdict(ComparisonResult result, bool higherIsFaster, RowComparison row, int family, double alpha)
    {
        var text = Markup.Escape(CompareVerdict.Describe(result, higherIsFaster, row.RunsA, row.RunsB, family, alpha));
        return new Markup(result.Verdict == Statistics.Verdict.Significant ? "[bold]" + text + "[/]" : text);
    }

    private static IRenderable Text(string text) => new Text(text);

    /// <summary>"+25.0% ±0.6": B - A and the half-width of its 95% CI (symmetric for Welch), both in percent of A.</summary>
    private static string Interval(ComparisonResult r) =>
        double.IsNaN(r.CiLow) || r.MeanA == 0 ? Percent(r.DifferencePercent)
            : Percent(r.DifferencePercent) + " ±" + (100 * (r.CiHigh - r.CiLow) / 2 / Math.Abs(r.MeanA)).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Percent(double value) => double.IsNaN(value) ? "n/a" : value.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%";

    private static string P(double p) => double.IsNaN(p) ? "n/a" : p < 0.0001 ? "<0.0001" : p.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Number(double value, string format) =>
        double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
