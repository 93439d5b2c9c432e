using Storlane.Bench.Engine;

namespace Storlane.Bench.Tests;

public sealed class TimeSeriesTests
{
    [Fact]
    public void SliverOfALastSecond_IsNotReportedAsARate()
    {
        // A 2 s test whose last completions land 11 ns past the deadline: two full seconds, no third.
        var series = MeasurementBuilder.BuildSeries([1000, 1000, 3, 0], [4096_000, 4096_000, 12_288, 0], [1_000_000, 1_000_000, 3_000, 0], elapsed: 2.000000011);
        Assert.Equal(2, series.Count);
        Assert.All(series, s => Assert.Equal(1000, s.Iops, 6));
    }

    [Fact]
    public void PartialLastSecondOfATenthOrMore_IsScaledToARate()
    {
        // 2.5 s: the third bucket holds 500 I/Os over half a second, 1000 IOPS.
        var series = MeasurementBuilder.BuildSeries([1000, 1000, 500], [0, 0, 0], [0, 0, 0], elapsed: 2.5);
        Assert.Equal(3, series.Count);
        Assert.Equal(1000, series[2].Iops, 6);
    }
}
