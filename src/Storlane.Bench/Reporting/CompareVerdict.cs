using System.Globalization;
using Storlane.Bench.Statistics;
using Storlane.Bench.Suites;

namespace Storlane.Bench.Reporting;

/// <summary>
/// A compared row in words, the same on the console, in JSON and in HTML: which side is faster and
/// by how much, or why there is no verdict (no difference these runs could see, or too few runs for
/// the test to reach alpha at all).
/// </summary>
public static class CompareVerdict
{
    /// <summary>IOPS and MB/s: more is faster; latency: less is faster.</summary>
    public static bool HigherIsFaster(PrimaryMetric metric) => metric != PrimaryMetric.MeanLatencyMs;

    /// <summary>"B faster", "B slower", or "none" when the verdict is not significant.</summary>
    public static string Direction(ComparisonResult result, bool higherIsFaster) =>
        result.Verdict != Verdict.Significant ? "none" : (result.Difference > 0) == higherIsFaster ? "B faster" : "B slower";

    /// <summary>The verdict as a short sentence, e.g. "B 12.3% faster" or "no clear difference (could miss ±8.1%)".</summary>
    public static string Describe(ComparisonResult result, bool higherIsFaster, int runsA, int runsB, int family, double alpha) => result.Verdict switch
    {
        Verdict.Significant => Invariant($"B {Math.Abs(result.DifferencePercent):0.0}% {((result.Difference > 0) == higherIsFaster ? "faster" : "slower")}"),
        Verdict.NotSignificant => double.IsNaN(result.MinimumDetectableDifference) || result.MeanA == 0
            ? "no clear difference"
            : Invariant($"no clear difference (could miss ±{100 * result.MinimumDetectableDifference / Math.Abs(result.MeanA):0.0}%)"),
        Verdict.CannotBeSignificant => CannotBeSignificant(result, runsA, runsB, family, alpha),
        _ => "1 run per side: no test",
    };

    /// <summary>
    /// Runs per side the exact Mann-Whitney test needs so that its smallest p, times the
    /// <paramref name="family"/> of rows corrected together, is below <paramref name="alpha"/>.
    /// </summary>
    public static int RunsNeeded(int family, double alpha)
    {
        var n = 2;
        while (MannWhitneyTest.MinimumPValue(n, n) * Math.Max(1, family) >= alpha && n < 1000)
        {
            n++;
        }

        return n;
    }

    private static string CannotBeSignificant(ComparisonResult result, int runsA, int runsB, int family, double alpha)
    {
        var runs = runsA == runsB ? Invariant($"n={runsA}") : Invariant($"n={runsA}/{runsB}");
        return result.MinimumPValue >= alpha
            ? Invariant($"cannot be significant at {runs} (p ≥ {result.MinimumPValue:0.000} whatever the data)")
            : Invariant($"cannot be significant at {runs} over {family} rows (Holm: p ≥ {Math.Min(1, result.MinimumPValue * family):0.000})");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
