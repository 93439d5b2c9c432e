using MathNet.Numerics.Distributions;

namespace Storlane.Bench.Statistics;

/// <summary>
/// Judges A against B from repeated runs: difference of means with its confidence interval,
/// Welch's p (Mann-Whitney's for latency), the verdict at alpha, and the minimum detectable
/// difference: the smallest true difference these runs would have caught with 80% power.
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
            return new ComparisonResult(meanA, meanB, difference, percent, double.NaN, double.NaN, double.NaN, double.NaN, Verdict.NotEnoughRuns);
        }

        var welch = WelchTest.Compute(a, b);
        var p = rankBased ? MannWhitneyTest.Compute(a, b).PValue : welch.PValue;
        double low = difference, high = difference, detectable = 0;
        if (welch.StandardError > 0)
        {
            var critical = StudentT.InvCDF(0, 1, welch.DegreesOfFreedom, 1 - (alpha / 2));
            low = difference - (critical * welch.StandardError);
            high = difference + (critical * welch.StandardError);
            detectable = (critical + StudentT.InvCDF(0, 1, welch.DegreesOfFreedom, Power)) * welch.StandardError;
        }

        return new ComparisonResult(meanA, meanB, difference, percent, low, high, p, detectable, p < alpha ? Verdict.Significant : Verdict.NotSignificant);
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
}

/// <summary>A, B, B - A, the same in percent of A, the 95% CI of B - A, p, minimum detectable difference, verdict.</summary>
public readonly record struct ComparisonResult(
    double MeanA,
    double MeanB,
    double Difference,
    double DifferencePercent,
    double CiLow,
    double CiHigh,
    double PValue,
    double MinimumDetectableDifference,
    Verdict Verdict);
