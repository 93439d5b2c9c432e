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

    [Fact]
    public void TenthOfASecondIntervals_StartAtMultiplesOfTheInterval_AndAreRates()
    {
        // 0.35 s at 100 ms: three full intervals and half of a fourth; 100 I/Os per interval is 1000 IOPS.
        var series = MeasurementBuilder.BuildSeries([100, 0, 100, 50], [409_600, 0, 409_600, 204_800], [10_000_000, 0, 10_000_000, 5_000_000], elapsed: 0.35, interval: 0.1);

        Assert.Equal([0, 0.1, 0.2, 0.3], series.Select(s => s.StartSeconds));
        Assert.Equal([100L, 0, 100, 50], series.Select(s => s.Ios));
        Assert.Equal([1000, 0, 1000, 1000], series.Select(s => Math.Round(s.Iops, 6)));
        Assert.Equal(0.1, series[0].MeanLatencyMs, 9);

        // An interval in which nothing completed (a failover's dip) reads 0, not an average of nothing.
        Assert.Equal(0, series[1].MeanLatencyMs);
    }

    [Fact]
    public async Task RunAt100Ms_RecordsTheInterval_AndOneSamplePerIntervalOfItsMeasuredTime()
    {
        // Every I/O takes at least 2 ms, so the run's 0.5 s spread over several intervals.
        await using var target = new SlowTarget(TestTargets.Memory(), TimeSpan.FromMilliseconds(2));
        var spec = Workload.WorkloadSpec.Simple(4096, 100, 100, queueDepth: 4) with { DurationSeconds = 0.5 };

        var result = await WorkloadRunner.RunAsync(target, spec, TimeSpan.FromMilliseconds(100));

        // The series follows the measured time (to the last completion), whatever the machine's load
        // did to it: consecutive 100 ms intervals, the last one dropped only if it is a sliver.
        Assert.Equal(0.1, result.SampleIntervalSeconds, 9);
        var intervals = result.ElapsedSeconds / 0.1;
        Assert.InRange(result.TimeSeries.Count, Math.Max(1, (int)Math.Ceiling(intervals) - 1), (int)Math.Ceiling(intervals));
        for (var i = 0; i < result.TimeSeries.Count; i++)
        {
            Assert.Equal(i * 0.1, result.TimeSeries[i].StartSeconds, 6);
        }

        // Every measured I/O is in an interval, except those of a dropped sliver at the very end.
        Assert.InRange(result.TimeSeries.Sum(s => s.Ios), result.TotalIos - 8, result.TotalIos);
    }

    [Fact]
    public async Task SampleIntervalBelow100Ms_IsRefused()
    {
        await using var target = TestTargets.Memory();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => WorkloadRunner.RunAsync(target, Workload.WorkloadSpec.Simple(4096, 100, 100), TimeSpan.FromMilliseconds(50)));
    }
}
