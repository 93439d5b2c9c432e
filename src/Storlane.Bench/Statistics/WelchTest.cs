using MathNet.Numerics.Distributions;

namespace Storlane.Bench.Statistics;

/// <summary>Welch's unequal-variances t-test, two-sided (distributions from MathNet.Numerics).</summary>
public static class WelchTest
{
    public static WelchResult Compute(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count < 2 || b.Count < 2)
        {
            throw new ArgumentException("Welch's t-test needs at least two samples on each side");
        }

        var (meanA, varA) = MeanAndVariance(a);
        var (meanB, varB) = MeanAndVariance(b);
        var termA = varA / a.Count;
        var termB = varB / b.Count;
        var standardError = Math.Sqrt(termA + termB);
        var difference = meanB - meanA;
        if (standardError == 0)
        {
            // Both samples are constant: any difference is certain, none is none.
            return new WelchResult(difference, 0, difference == 0 ? 0 : double.PositiveInfinity * Math.Sign(difference), a.Count + b.Count - 2, difference == 0 ? 1 : 0);
        }

        var t = difference / standardError;
        var df = ((termA + termB) * (termA + termB)) / ((termA * termA / (a.Count - 1)) + (termB * termB / (b.Count - 1)));
        var p = 2 * StudentT.CDF(0, 1, df, -Math.Abs(t));
        return new WelchResult(difference, standardError, t, df, p);
    }

    internal static (double Mean, double Variance) MeanAndVariance(IReadOnlyList<double> values)
    {
        var array = new double[values.Count];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = values[i];
        }

        return (MathNet.Numerics.Statistics.Statistics.Mean(array), MathNet.Numerics.Statistics.Statistics.Variance(array));
    }
}

/// <summary>Difference of means (B - A), its standard error, t, Welch-Satterthwaite degrees of freedom and two-sided p.</summary>
public readonly record struct WelchResult(double Difference, double StandardError, double T, double DegreesOfFreedom, double PValue);
