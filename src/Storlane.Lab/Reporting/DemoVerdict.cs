using System.Globalization;
using Storlane.Bench.Reporting;
using Storlane.Bench.Statistics;
using Storlane.Bench.Suites;

namespace Storlane.Lab.Reporting;

/// <summary>
/// A compared row's verdict in words a first-time reader can act on: which side is faster and by
/// how much when the runs show it; when they do not, that nothing was found at this sample size and
/// how large a difference could still hide in the noise (not "the two are the same").
/// </summary>
public static class DemoVerdict
{
    /// <summary>From this ratio up, a difference reads better as "1.9x" than as "+90%".</summary>
    private const double RatioFrom = 1.5;

    public static string Describe(RowComparison row, string labelA, string labelB)
    {
        var result = row.Primary;
        switch (result.Verdict)
        {
            case Verdict.NotEnoughRuns:
                return $"no verdict: {Math.Min(row.RunsA, row.RunsB)} run per side (2 or more needed)";
            case Verdict.NotSignificant:
                var unseen = result.MeanA == 0 ? double.NaN : 100 * result.MinimumDetectableDifference / result.MeanA;
                return "no difference found at this sample size" + (double.IsFinite(unseen) ? $"; one under {Cells.Number(unseen, "0")}% could go unseen" : "");
        }

        // Latency: lower is faster; throughput and IOPS: higher is.
        var bIsFaster = MetricValue.IsLatency(row.Metric) ? result.MeanB < result.MeanA : result.MeanB > result.MeanA;
        return $"{(bIsFaster ? labelB : labelA)} faster by {Size(Math.Max(result.MeanA, result.MeanB), Math.Min(result.MeanA, result.MeanB))}";
    }

    /// <summary>"1.93x" for large differences, "12%" for small ones: <paramref name="larger"/> over <paramref name="smaller"/> (of latency too, where the smaller is the faster).</summary>
    public static string Size(double larger, double smaller)
    {
        if (smaller <= 0)
        {
            return "n/a";
        }

        var ratio = larger / smaller;
        return ratio >= RatioFrom
            ? ratio.ToString("0.0#", CultureInfo.InvariantCulture) + "x"
            : Cells.Number(100 * (ratio - 1), "0.#") + "%";
    }
}
