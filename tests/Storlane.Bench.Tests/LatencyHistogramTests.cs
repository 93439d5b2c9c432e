using Storlane.Bench.Metrics;

namespace Storlane.Bench.Tests;

public sealed class LatencyHistogramTests
{
    private static long[] LogNormalSample(int count, int seed)
    {
        var random = new Random(seed);
        var values = new long[count];
        for (var i = 0; i < count; i++)
        {
            // Log-normal around 100 µs with a long tail, like real I/O latency.
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = (long)Math.Exp(11.5 + (1.2 * normal));
        }

        return values;
    }

    [Theory]
    [InlineData(50)]
    [InlineData(90)]
    [InlineData(99)]
    [InlineData(99.9)]
    [InlineData(100)]
    public void Percentiles_MatchASortedReference_WithinOnePercent(double percentile)
    {
        var values = LogNormalSample(100_000, 7);
        var histogram = new LatencyHistogram();
        foreach (var value in values)
        {
            histogram.Record(value);
        }

        Array.Sort(values);
        var reference = values[(int)Math.Ceiling(percentile / 100 * values.Length) - 1];
        var measured = histogram.ValueAtPercentile(percentile);

        Assert.InRange(measured, reference * 0.99, reference * 1.01);
    }

    [Fact]
    public void SmallValues_AreExact()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 200; v++)
        {
            histogram.Record(v);
        }

        Assert.Equal(100, histogram.ValueAtPercentile(50));
        Assert.Equal(198, histogram.ValueAtPercentile(99));
        Assert.Equal(1, histogram.Min);
        Assert.Equal(200, histogram.Max);
        Assert.Equal(100.5, histogram.Mean);
    }

    [Fact]
    public void BucketIndex_RoundTrips_AndIsMonotonic()
    {
        var previous = -1;
        for (long value = 0; value < 1L << 39; value = (value * 17 / 16) + 1)
        {
            var index = LatencyHistogram.IndexOf(value);
            var (low, width) = LatencyHistogram.BucketRange(index);
            Assert.InRange(value, low, low + width - 1);
            Assert.True(index >= previous);
            Assert.True(width <= Math.Max(1, low / 128));
            previous = index;
        }
    }

    [Fact]
    public void Merge_EqualsOneHistogramOfEverything()
    {
        var values = LogNormalSample(50_000, 11);
        var all = new LatencyHistogram();
        var first = new LatencyHistogram();
        var second = new LatencyHistogram();
        for (var i = 0; i < values.Length; i++)
        {
            all.Record(values[i]);
            (i % 3 == 0 ? first : second).Record(values[i]);
        }

        first.Add(second);

        Assert.Equal(all.Count, first.Count);
        Assert.Equal(all.Min, first.Min);
        Assert.Equal(all.Max, first.Max);
        Assert.Equal(all.Sum, first.Sum, 6);
        foreach (var p in new[] { 1, 25, 50, 75, 90, 99, 99.9, 99.99 })
        {
            Assert.Equal(all.ValueAtPercentile(p), first.ValueAtPercentile(p));
        }

        Assert.Equal(all.Cdf(), first.Cdf());
    }

    [Fact]
    public void Empty_ReportsZeros()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.ValueAtPercentile(99));
        Assert.Equal(0, histogram.Mean);
        Assert.Empty(histogram.Cdf());
    }
}
