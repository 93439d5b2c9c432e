using System.Globalization;
using System.Text;

namespace Storlane.Bench.Reporting;

/// <summary>Small inline SVG charts for the HTML report: no scripts, no fonts, no network.</summary>
internal static class SvgChart
{
    public const int Width = 360;
    public const int Height = 220;
    private const int Left = 58;
    private const int Right = 12;
    private const int Top = 24;
    private const int Bottom = 34;

    public static readonly string[] Colors = ["#2f6fb0", "#d0682b", "#3b9a4f", "#8b4fb0"];

    /// <summary>One bar per target: the mean, an error bar of ± one standard deviation, a dot per run.</summary>
    public static string Bars(string title, string unit, IReadOnlyList<(string Label, double[] Runs)> bars)
    {
        var max = 0.0;
        foreach (var (_, runs) in bars)
        {
            max = Math.Max(max, runs.Length == 0 ? 0 : runs.Max() * 1.1);
        }

        max = max > 0 ? max : 1;
        var svg = Begin(title);
        Axis(svg, max, unit);
        var slot = (Width - Left - Right) / (double)bars.Count;
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, runs) = bars[i];
            var mean = runs.Average();
            var sd = runs.Length > 1 ? MathNet.Numerics.Statistics.Statistics.StandardDeviation(runs) : 0;
            var x = Left + (i * slot) + (slot * 0.2);
            var w = slot * 0.6;
            svg.Append(Invariant($"<rect x='{x:0.#}' y='{Y(mean, max):0.#}' width='{w:0.#}' height='{Y(0, max) - Y(mean, max):0.#}' fill='{Colors[i % Colors.Length]}' opacity='0.8'/>"));
            var cx = x + (w / 2);
            svg.Append(Invariant($"<line x1='{cx:0.#}' x2='{cx:0.#}' y1='{Y(mean - sd, max):0.#}' y2='{Y(mean + sd, max):0.#}' stroke='#222' stroke-width='1.5'/>"));
            foreach (var run in runs)
            {
                svg.Append(Invariant($"<circle cx='{cx + 8:0.#}' cy='{Y(run, max):0.#}' r='2.2' fill='#222'/>"));
            }

            svg.Append(Invariant($"<text x='{cx:0.#}' y='{Height - 18}' text-anchor='middle'>{Escape(label)}</text>"));
            svg.Append(Invariant($"<text x='{cx:0.#}' y='{Y(mean, max) - 4:0.#}' text-anchor='middle'>{Format(mean)}</text>"));
        }

        return End(svg);
    }

    /// <summary>
    /// Lines of (x, y) points, one colour per series; x on a log scale when asked (latency CDFs).
    /// Each of <paramref name="markers"/> (x values: failovers on a time series) is a red dashed vertical line.
    /// </summary>
    public static string Lines(string title, string xUnit, string yUnit, IReadOnlyList<(int Color, IReadOnlyList<(double X, double Y)> Points)> series, bool logX, IReadOnlyList<double>? markers = null)
    {
        double minX = double.MaxValue, maxX = 0, maxY = 0;
        foreach (var (_, points) in series)
        {
            foreach (var (x, y) in points)
            {
                minX = Math.Min(minX, x);
                maxX = Math.Max(maxX, x);
                maxY = Math.Max(maxY, y);
            }
        }

        if (maxX <= 0)
        {
            return Begin(title).Append("<text x='100' y='110'>no data</text></svg>").ToString();
        }

        minX = logX ? Math.Max(minX, 1e-4) : 0;
        maxY = maxY > 0 ? maxY * 1.05 : 1;
        var svg = Begin(title);
        Axis(svg, maxY, yUnit);
        svg.Append(Invariant($"<text x='{Left}' y='{Height - 4}'>{Format(minX)}</text><text x='{Width - Right}' y='{Height - 4}' text-anchor='end'>{Format(maxX)} {Escape(xUnit)}</text>"));
        foreach (var (color, points) in series)
        {
            var path = new StringBuilder();
            foreach (var (x, y) in points)
            {
                var fraction = logX ? (Math.Log10(Math.Max(x, minX)) - Math.Log10(minX)) / Math.Max(1e-9, Math.Log10(maxX) - Math.Log10(minX)) : x / maxX;
                path.Append(Invariant($"{(path.Length == 0 ? "M" : "L")}{Left + (fraction * (Width - Left - Right)):0.#},{Y(y, maxY):0.#} "));
            }

            svg.Append(Invariant($"<path d='{path}' fill='none' stroke='{Colors[color % Colors.Length]}' stroke-width='1.5' opacity='0.85'/>"));
        }

        foreach (var marker in markers ?? [])
        {
            var x = Left + (Math.Clamp(marker / maxX, 0, 1) * (Width - Left - Right));
            svg.Append(Invariant($"<line class='failover' x1='{x:0.#}' x2='{x:0.#}' y1='{Top}' y2='{Height - Bottom}' stroke='#c0392b' stroke-width='1.2' stroke-dasharray='4 3'/>"));
            svg.Append(Invariant($"<text x='{x + 2:0.#}' y='{Top + 9}' fill='#c0392b'>failover</text>"));
        }

        return End(svg);
    }

    private static StringBuilder Begin(string title) =>
        new StringBuilder().Append(Invariant($"<svg xmlns='http://www.w3.org/2000/svg' width='{Width}' height='{Height}' viewBox='0 0 {Width} {Height}' font-family='sans-serif' font-size='10'>"))
            .Append(Invariant($"<text x='{Width / 2}' y='14' text-anchor='middle' font-weight='bold'>{Escape(title)}</text>"));

    private static string End(StringBuilder svg) => svg.Append("</svg>").ToString();

    private static void Axis(StringBuilder svg, double max, string unit)
    {
        svg.Append(Invariant($"<line x1='{Left}' x2='{Left}' y1='{Top}' y2='{Height - Bottom}' stroke='#888'/><line x1='{Left}' x2='{Width - Right}' y1='{Height - Bottom}' y2='{Height - Bottom}' stroke='#888'/>"));
        for (var tick = 0; tick <= 4; tick++)
        {
            var value = max * tick / 4;
            svg.Append(Invariant($"<text x='{Left - 4}' y='{Y(value, max) + 3:0.#}' text-anchor='end'>{Format(value)}</text>"));
        }

        svg.Append(Invariant($"<text x='4' y='{Top - 6}'>{Escape(unit)}</text>"));
    }

    private static double Y(double value, double max) => Height - Bottom - (Math.Max(0, value) / max * (Height - Top - Bottom));

    private static string Format(double value) => value switch
    {
        >= 1e6 => Invariant($"{value / 1e6:0.##}M"),
        >= 1e4 => Invariant($"{value / 1e3:0.#}k"),
        >= 10 => Invariant($"{value:0}"),
        >= 0.01 => Invariant($"{value:0.###}"),
        _ => Invariant($"{value:0.#####}"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => System.Net.WebUtility.HtmlEncode(text);
}
