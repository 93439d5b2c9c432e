using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Storlane.Bench.Statistics;
using Storlane.Bench.Suites;

namespace Storlane.Bench.Reporting;

/// <summary>
/// The verdicts of <c>bench compare</c> as a file: JSON (schema <see cref="Schema"/>, one entry per
/// row with both comparisons) or a self-contained HTML page with the same tables and notes.
/// </summary>
public sealed record CompareReport
{
    public const string CurrentSchema = "storlane-bench-compare/1";

    public string Schema { get; init; } = CurrentSchema;

    public required string A { get; init; }

    public required string B { get; init; }

    public required double Alpha { get; init; }

    /// <summary>How p-values are adjusted over the rows: "holm".</summary>
    public string Correction { get; init; } = "holm";

    public required IReadOnlyList<CompareRow> Rows { get; init; }

    public required IReadOnlyList<string> Notes { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static CompareReport From(IReadOnlyList<RowComparison> rows, string labelA, string labelB, double alpha) => new()
    {
        A = labelA,
        B = labelB,
        Alpha = alpha,
        Rows = [.. rows.Select(row => new CompareRow
        {
            Test = row.Test,
            Unit = MetricValue.Unit(row.Metric),
            RunsA = row.RunsA,
            RunsB = row.RunsB,
            Figure = CompareEntry.From(row.Primary, "welch", CompareVerdict.HigherIsFaster(row.Metric), row, alpha, MetricValue.IsLatency(row.Metric)),
            MeanLatencyMs = CompareEntry.From(row.Latency, "mann-whitney", higherIsFaster: false, row, alpha, rankBased: true),
        })],
        Notes = CompareTable.Notes(rows, alpha),
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public string ToHtml()
    {
        var html = new StringBuilder("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>storlane bench compare</title>");
        html.Append("<style>body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin-bottom:1em}"
            + "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:first-child,td:last-child{text-align:left}.significant{font-weight:bold}</style></head><body>");
        html.Append("<h1>storlane bench compare</h1><p>A = ").Append(Encode(A)).Append("<br>B = ").Append(Encode(B)).Append("</p>");
        Table(html, "Each test's figure (Welch's t; Mann-Whitney for latency rows)", row => row.Figure, withUnit: true);
        Table(html, "Mean latency, ms (Mann-Whitney)", row => row.MeanLatencyMs, withUnit: false);
        html.Append("<ul>");
        foreach (var note in Notes)
        {
            html.Append("<li>").Append(Encode(note)).Append("</li>");
        }

        return html.Append("</ul></body></html>").ToString();
    }

    private void Table(StringBuilder html, string title, Func<CompareRow, CompareEntry> pick, bool withUnit)
    {
        html.Append("<h2>").Append(Encode(title)).Append("</h2><table><tr><th>Test</th>").Append(withUnit ? "<th>Unit</th>" : "")
            .Append("<th>A</th><th>B</th><th>B-A</th><th>B-A %</th><th>95% CI of B-A</th><th>p</th><th>p Holm</th><th>Verdict</th></tr>");
        foreach (var row in Rows)
        {
            var e = pick(row);
            html.Append("<tr><td>").Append(Encode(row.Test)).Append("</td>");
            if (withUnit)
            {
                html.Append("<td>").Append(Encode(row.Unit)).Append("</td>");
            }

            foreach (var cell in new[] { Number(e.A), Number(e.B), Number(e.Difference), Number(e.DifferencePercent), $"[{Number(e.CiLow)}, {Number(e.CiHigh)}]", Number(e.P), Number(e.PHolm) })
            {
                html.Append("<td>").Append(Encode(cell)).Append("</td>");
            }

            html.Append("<td class='").Append(e.Verdict == Verdict.Significant ? "significant" : "plain").Append("'>").Append(Encode(e.Summary)).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static string Number(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

/// <summary>One test compared: its figure (the suite's metric) and its mean latency.</summary>
public sealed record CompareRow
{
    public required string Test { get; init; }

    public required string Unit { get; init; }

    public required int RunsA { get; init; }

    public required int RunsB { get; init; }

    public required CompareEntry Figure { get; init; }

    public required CompareEntry MeanLatencyMs { get; init; }
}

/// <summary>One comparison: means, B - A with its 95% CI, raw and Holm-adjusted p, the test's p floor, the verdict, its direction and the sentence.</summary>
public sealed record CompareEntry
{
    /// <summary>"welch" or "mann-whitney".</summary>
    public required string Test { get; init; }

    public required double A { get; init; }

    public required double B { get; init; }

    public required double Difference { get; init; }

    public required double DifferencePercent { get; init; }

    public required double CiLow { get; init; }

    public required double CiHigh { get; init; }

    public required double P { get; init; }

    public required double PHolm { get; init; }

    /// <summary>The smallest p this test could give with these runs (0: no floor).</summary>
    public required double MinimumP { get; init; }

    public required double MinimumDetectableDifference { get; init; }

    public required Verdict Verdict { get; init; }

    /// <summary>"B faster", "B slower" or "none".</summary>
    public required string Direction { get; init; }

    /// <summary>The verdict in words, as the console shows it.</summary>
    public required string Summary { get; init; }

    internal static CompareEntry From(ComparisonResult r, string test, bool higherIsFaster, RowComparison row, double alpha, bool rankBased) => new()
    {
        Test = rankBased ? "mann-whitney" : test,
        A = r.MeanA,
        B = r.MeanB,
        Difference = r.Difference,
        DifferencePercent = r.DifferencePercent,
        CiLow = r.CiLow,
        CiHigh = r.CiHigh,
        P = r.PValue,
        PHolm = r.AdjustedPValue,
        MinimumP = r.MinimumPValue,
        MinimumDetectableDifference = r.MinimumDetectableDifference,
        Verdict = r.Verdict,
        Direction = CompareVerdict.Direction(r, higherIsFaster),
        Summary = CompareVerdict.Describe(r, higherIsFaster, row.RunsA, row.RunsB, row.Family, alpha),
    };
}
