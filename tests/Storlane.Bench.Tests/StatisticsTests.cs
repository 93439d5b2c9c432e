using Storlane.Bench.Statistics;

namespace Storlane.Bench.Tests;

public sealed class StatisticsTests
{
    // Welch's t-test, example 1 of the Wikipedia article (reference values recomputed to 6 places).
    private static readonly double[] WelchA = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    private static readonly double[] WelchB = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

    [Fact]
    public void Welch_MatchesTheTextbookExample()
    {
        var result = WelchTest.Compute(WelchA, WelchB);

        Assert.Equal(2.455356, result.T, 5);
        Assert.Equal(24.988529, result.DegreesOfFreedom, 5);
        Assert.Equal(0.021378, result.PValue, 5);
    }

    [Fact]
    public void MannWhitney_SmallUntiedSamples_UseTheExactDistribution()
    {
        // U = 2 of 30: 8 of the C(11,5) = 462 arrangements are as extreme, p = 8/462.
        var result = MannWhitneyTest.Compute([1.1, 3.4, 2.2, 5.0, 0.7], [4.1, 6.3, 5.5, 7.2, 3.9, 8.0]);

        Assert.True(result.Exact);
        Assert.Equal(2, result.U);
        Assert.Equal(8.0 / 462, result.PValue, 10);
    }

    [Fact]
    public void MannWhitney_TiedSamples_UseTheNormalApproximationWithTieCorrection()
    {
        double[] a = [3, 4, 2, 6, 2, 5, 4, 4, 7, 3, 5, 6, 2, 4, 5, 3, 6, 8, 2, 5, 4, 3, 6, 1];
        double[] b = [9, 7, 5, 10, 6, 8, 6, 5, 7, 8, 9, 6, 7, 5, 8, 9, 10, 7, 6, 8, 4, 7, 9, 8];

        var result = MannWhitneyTest.Compute(a, b);

        Assert.False(result.Exact);
        Assert.Equal(62.5, result.U);
        Assert.Equal(2.945737209e-06, result.PValue, 12);
    }

    [Fact]
    public void Compare_ATenPercentDifference_IsSignificant_AndInsideItsInterval()
    {
        double[] a = [100.2, 99.1, 100.8, 99.6, 100.3];
        var b = a.Select(v => v * 1.10).ToArray();

        var result = Comparison.Compare(a, b);

        Assert.Equal(Verdict.Significant, result.Verdict);
        Assert.Equal(10, result.DifferencePercent, 6);
        Assert.InRange(result.Difference, result.CiLow, result.CiHigh);
        Assert.True(result.CiLow > 0);
        Assert.True(result.MinimumDetectableDifference < result.Difference);
    }

    [Fact]
    public void Compare_TwoDrawsOfTheSameConfiguration_AreNotSignificant()
    {
        double[] a = [100.2, 99.1, 100.8, 99.6, 100.3];
        double[] b = [99.8, 100.5, 99.4, 100.9, 99.7];

        var result = Comparison.Compare(a, b);

        Assert.Equal(Verdict.NotSignificant, result.Verdict);
        Assert.True(result.CiLow < 0 && result.CiHigh > 0);
        Assert.True(result.MinimumDetectableDifference > Math.Abs(result.Difference));
    }

    [Fact]
    public void Compare_OneRunPerSide_GivesNoVerdict()
    {
        var result = Comparison.Compare([100], [110]);

        Assert.Equal(Verdict.NotEnoughRuns, result.Verdict);
        Assert.Equal(10, result.DifferencePercent, 6);
    }

    [Fact]
    public void Compare_LatencyRows_AreJudgedByRanks()
    {
        double[] a = [1.0, 1.1, 0.9, 1.05];
        double[] b = [1.5, 1.6, 1.45, 1.55];

        var result = Comparison.Compare(a, b, rankBased: true);

        Assert.Equal(MannWhitneyTest.Compute(a, b).PValue, result.PValue);
        Assert.Equal(Verdict.Significant, result.Verdict);
    }
}
