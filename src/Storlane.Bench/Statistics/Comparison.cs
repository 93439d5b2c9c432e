using MathNet.Numerics.Distributions;

namespace Storlane.Bench.Statistics;

/// <summary>
/// Judges A against B from repeated runs: difference of means with its confidence interval,
/// Welch's p (Mann-Whitney's for latency), the verdict at alpha, and the minimum detectable
/// difference: the smallest true difference these runs would have caught with 80% power. A rank
/// test on few runs has a floor under its p (<see cref="MannWhitneyTest.MinimumPValue"/>): when the
/// floor is at or above alpha the verdict says the row cannot be significant, whatever the data.
/// </summary>
public static class Comparison
{
    public const double DefaultAlpha = 0.05;
    public const double Power = 0.8;

    public static ComparisonResult Compare(IReadOnlyList<double> a, IReadOnlyList<double> b, bool rankBased = false, double alpha = DefaultAlpha)
    {
        var meanA = Mean(a);
        var meanB = Mean(b);
        var difference = meanB - meanA;
        var percent = meanA == 0 ? double.NaN : 100 * difference / meanA;
        if (a.Count < 2 || b.Count < 2)
        {
            return new ComparisonResult(meanA, meanB, difference, percent, double.NaN, double.NaN, double.NaN, double.NaN, Verdict.NotEnoughRuns, double.NaN);
        }

        var welch = WelchTest.Compute(a, b);
        var mannWhitney = rankBased ? MannWhitneyTest.Compute(a, b) : default;
        var p = rankBased ? mannWhitney.PValue : welch.PValue;

        // Welch's t has no floor; the exact rank test has one (the normal approximation, used with ties or many runs, is treated as having none).
        var floor = rankBased && mannWhitney.Exact ? MannWhitneyTest.MinimumPValue(a.Count, b.Count) : 0;
        double low = difference, high = difference, detectable = 0;
        if (welch.StandardError > 0)
        {
            var critical = StudentT.InvCDF(0, 1, welch.DegreesOfFreedom, 1 - (alpha / 2));
            low = difference - (critical * welch.StandardError);
            high = difference + (critical * welch.StandardError);
            detectable = (critical + StudentT.InvCDF(0, 1, welch.DegreesOfFreedom, Power)) * welch.StandardError;
        }

        var verdict = floor >= alpha ? Verdict.CannotBeSignificant : p < alpha ? Verdict.Significant : Verdict.NotSignificant;
        return new ComparisonResult(meanA, meanB, difference, percent, low, high, p, detectable, verdict, p) { MinimumPValue = floor };
    }

    private static double Mean(IReadOnlyList<double> values)
    {
        double sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }

        return values.Count == 0 ? double.NaN : sum / values.Count;
    }
}

public enum Verdict
{
    NotEnoughRuns,
    NotSignificant,
    Significant,

    /// <summary>The test's smallest attainable p (after correction for the rows compared with it) is not below alpha: more runs are needed before any verdict.</summary>
    CannotBeSignificant,
}

/// <summary>
/// A, B, B - A, the same in percent of A, the 95% CI of B - A, p, minimum detectable difference,
/// verdict, and p adjusted for the other rows compared with this one (Holm; p itself for a lone comparison).
/// </summary>
public readonly record struct ComparisonResult(
    double MeanA,
    double MeanB,
    double Difference,
    double DifferencePercent,
    double CiLow,
    double CiHigh,
    double PValue,
    double MinimumDetectableDifference,
    Verdict Verdict,
    double AdjustedPValue)
{
    /// <summary>The smallest p the test could give with these run counts (0 for Welch's t, which has no floor).</summary>
    public double MinimumPValue { get; init; }
}
