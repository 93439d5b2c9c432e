using System.Globalization;
using System.Net;
using System.Text;
using Storlane.Bench.Metrics;

namespace Storlane.Lab.Reporting;

/// <summary>
/// An inline SVG line chart of throughput over time with vertical marks (cable pulled, restored,
/// failovers): no scripts, no fonts, no network, like the bench's charts.
/// </summary>
public static class TimeSeriesChart
{
    public const int Width = 560;
    public const int Height = 240;
    private const int Left = 52;
    private const int Right = 14;
    private const int Top = 26;
    private const int Bottom = 34;

    /// <summary>A vertical line at <paramref name="X"/> seconds, labelled, in <paramref name="Color"/>.</summary>
    public sealed record Mark(double X, string Label, string Color);

    /// <summary>
    /// MB/s per sample of <paramref name="series"/>, each plotted at the middle of its interval,
    /// titled "<paramref name="what"/>: MB/s per N ms".
    /// </summary>
    public static string Throughput(string what, IReadOnlyList<TimeSample> series, double sampleIntervalSeconds, IReadOnlyList<Mark> marks)
    {
        var points = series.Select(s => (s.StartSeconds + (sampleIntervalSeconds / 2), s.MegabytesPerSecond)).ToList();
        var interval = (sampleIntervalSeconds * 1000).ToString("0", CultureInfo.InvariantCulture);
        return Svg($"{what}: MB/s per {interval} ms", "MB/s", points, marks);
    }

    public static string Svg(string title, string yUnit, IReadOnlyList<(double X, double Y)> points, IReadOnlyList<Mark> marks)
    {
        var maxX = 0.0;
        var maxY = 0.0;
        foreach (var (x, y) in points)
        {
            maxX = Math.Max(maxX, x);
            maxY = Math.Max(maxY, y);
        }

        foreach (var mark in marks)
        {
            maxX = Math.Max(maxX, mark.X);
        }

        maxX = maxX > 0 ? maxX : 1;
        maxY = maxY > 0 ? maxY * 1.1 : 1;
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns='http://www.w3.org/2000/svg' width='{Width}' height='{Height}' viewBox='0 0 {Width} {Height}' font-family='sans-serif' font-size='10'>"));
        svg.Append(Invariant($"<text x='{Width / 2}' y='14' text-anchor='middle' font-weight='bold'>{Encode(title)}</text>"));
        svg.Append(Invariant($"<line x1='{Left}' x2='{Left}' y1='{Top}' y2='{Height - Bottom}' stroke='#888'/><line x1='{Left}' x2='{Width - Right}' y1='{Height - Bottom}' y2='{Height - Bottom}' stroke='#888'/>"));
        for (var tick = 0; tick <= 4; tick++)
        {
            var value = maxY * tick / 4;
            svg.Append(Invariant($"<text x='{Left - 4}' y='{Y(value, maxY) + 3:0.#}' text-anchor='end'>{value:0}</text>"));
        }

        for (var tick = 0; tick <= 5; tick++)
        {
            var value = maxX * tick / 5;
            svg.Append(Invariant($"<text x='{X(value, maxX):0.#}' y='{Height - Bottom + 13}' text-anchor='middle'>{value:0.#}</text>"));
        }

        svg.Append(Invariant($"<text x='4' y='{Top - 8}'>{Encode(yUnit)}</text><text x='{Width - Right}' y='{Height - 4}' text-anchor='end'>s</text>"));
        for (var i = 0; i < marks.Count; i++)
        {
            // Labels step down a line each, so marks a few pixels apart stay readable.
            var mark = marks[i];
            var x = X(mark.X, maxX);
            svg.Append(Invariant($"<line x1='{x:0.#}' x2='{x:0.#}' y1='{Top}' y2='{Height - Bottom}' stroke='{mark.Color}' stroke-dasharray='4 3'/>"));
            svg.Append(Invariant($"<text x='{x + 3:0.#}' y='{Top + 10 + (11 * (i % 3))}' fill='{mark.Color}'>{Encode(mark.Label)}</text>"));
        }

        var path = new StringBuilder();
        foreach (var (x, y) in points)
        {
            path.Append(Invariant($"{(path.Length == 0 ? "M" : "L")}{X(x, maxX):0.#},{Y(y, maxY):0.#} "));
        }

        if (path.Length > 0)
        {
            svg.Append(Invariant($"<path d='{path.ToString().TrimEnd()}' fill='none' stroke='#2f6fb0' stroke-width='1.5'/>"));
        }
        else
        {
            svg.Append(Invariant($"<text x='{Width / 2}' y='{Height / 2}' text-anchor='middle'>no data</text>"));
        }

        return svg.Append("</svg>").ToString();
    }

    private static double X(double value, double max) => Left + (value / max * (Width - Left - Right));

    private static double Y(double value, double max) => Height - Bottom - (Math.Max(0, value) / max * (Height - Top - Bottom));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
