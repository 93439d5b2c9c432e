using System.Globalization;
using System.Net;
using System.Text;
using Storlane.Bench.Suites;

namespace Storlane.Bench.Reporting;

/// <summary>
/// A self-contained HTML page (inline CSS and SVG, no scripts, no network): the setup, then per test
/// a bar chart with error bars, latency CDFs and the time series (failovers marked as red dashed
/// lines where they began), one colour per target.
/// </summary>
public static class HtmlReport
{
    public static string Format(BenchReport report)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>storlane bench: ").Append(Encode(report.Suite)).Append("</title>");
        html.Append("<style>body{font-family:sans-serif;margin:1.5em;color:#222}section{display:inline-block;vertical-align:top;margin:0 1em 1.5em 0;border:1px solid #ddd;padding:.5em}"
            + "h2{font-size:1.05em;margin:.2em 0}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:first-child{text-align:left}</style></head><body>");
        html.Append("<h1>storlane bench: ").Append(Encode(report.Suite)).Append("</h1><p>");
        html.Append(Encode(Invariant($"{report.Repeat} run(s) per test, order {report.Order}, Storlane {report.StorlaneVersion}, {report.CreatedUtc:u}")));
        html.Append("<br>").Append(Encode(Invariant($"{report.Machine.HostName}: {report.Machine.OperatingSystem}, {report.Machine.ProcessorCount} x {report.Machine.ProcessorModel ?? report.Machine.Architecture}, {report.Machine.Runtime}"))).Append("</p><ul>");
        for (var t = 0; t < report.Targets.Count; t++)
        {
            var target = report.Targets[t];
            html.Append(Invariant($"<li><b style='color:{SvgChart.Colors[t % SvgChart.Colors.Length]}'>{ConsoleReport.Label(t)}</b> ")).Append(Encode(Invariant($"{target.Spec}: {target.LogicalBlockSize}/{target.PhysicalBlockSize}-byte sectors, {target.SizeBytes} bytes")));
            if (target.PathPolicy is not null)
            {
                html.Append(Encode(Invariant($", {target.Paths.Count} paths, {target.PathPolicy}")));
            }

            html.Append("</li>");
        }

        html.Append("</ul>");
        if (report.Partial is { } partial)
        {
            html.Append("<p class='partial' style='color:#a60;font-weight:bold'>").Append(Encode(partial.Describe())).Append("</p>");
        }

        foreach (var test in report.Tests)
        {
            html.Append("<section><h2>").Append(Encode(test.Name)).Append("</h2>");
            var bars = test.Results.Where(r => r.Runs.Count > 0).Select(r => (ConsoleReport.Label(r.Target), r.Runs.Select(m => MetricValue.Of(m, test.Metric)).ToArray())).ToList();
            html.Append(SvgChart.Bars(MetricValue.Unit(test.Metric) + " (mean ± sd, dots = runs)", MetricValue.Unit(test.Metric), bars));
            var cdfs = test.Results.SelectMany(r => r.Runs.Select(m => (r.Target, (IReadOnlyList<(double, double)>)[.. m.LatencyCdf.Select(p => (p.LatencyMs, p.Percentile))]))).ToList();
            html.Append(SvgChart.Lines("latency CDF (ms, log scale)", "ms", "%", cdfs, logX: true));
            var series = test.Results.SelectMany(r => r.Runs.Select(m => (r.Target, (IReadOnlyList<(double, double)>)[.. m.TimeSeries.Select(s => (s.StartSeconds + m.SampleIntervalSeconds, s.Iops))]))).ToList();
            var failovers = test.Results.SelectMany(r => r.Runs.SelectMany(m => m.Failovers.Select(f => f.AtSeconds))).ToList();
            html.Append(SvgChart.Lines("IOPS per " + IntervalName(test), "s", "IOPS", series, logX: false, failovers));
            html.Append("</section>");
        }

        return html.Append("</body></html>").ToString();
    }

    private static string IntervalName(TestReport test)
    {
        var interval = test.Results.SelectMany(r => r.Runs).Select(m => m.SampleIntervalSeconds).DefaultIfEmpty(1).First();
        return interval == 1 ? "second" : Invariant($"{interval * 1000:0.###} ms");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
