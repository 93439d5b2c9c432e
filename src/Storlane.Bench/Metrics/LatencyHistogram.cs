using System.Numerics;

namespace Storlane.Bench.Metrics;

/// <summary>
/// A log-linear histogram of latencies in nanoseconds (HdrHistogram's layout): values below 256 get
/// a bucket each; above, every power-of-two range is split into 128 equal buckets, so a recorded
/// value is known to within 1/128 (0.8%). Memory is fixed (about 36 KB up to 2^40 ns, 18 minutes);
/// <see cref="Record"/> is a few shifts and one increment. Not thread-safe: one per I/O slot, merged
/// at the end. Larger values land in the top bucket; the exact maximum is kept aside.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int LinearLimit = SubBucketCount * 2;
    private const int MaxExponent = 40;
    private const int BucketCount = LinearLimit + ((MaxExponent - SubBucketBits) * SubBucketCount);

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public long Min { get; private set; } = long.MaxValue;

    public long Max { get; private set; }

    /// <summary>Sum of all values, for the mean (a double: no overflow for any realistic run).</summary>
    public double Sum { get; private set; }

    public double Mean => Count == 0 ? 0 : Sum / Count;

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        _counts[IndexOf(nanoseconds)]++;
        Count++;
        Sum += nanoseconds;
        if (nanoseconds < Min)
        {
            Min = nanoseconds;
        }

        if (nanoseconds > Max)
        {
            Max = nanoseconds;
        }
    }

    /// <summary>Adds every value recorded in <paramref name="other"/>.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Sum += other.Sum;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0-100) by nearest rank: the value of the
    /// ceil(p/100 * N)-th smallest sample, reported as the middle of its bucket and clamped to [min, max].
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        if (rank >= Count)
        {
            return Max;
        }

        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                var (low, width) = BucketRange(i);
                return Math.Clamp(low + (width / 2), Min, Max);
            }
        }

        return Max;
    }

    /// <summary>(upper value of bucket, cumulative fraction) for every non-empty bucket: the latency CDF.</summary>
    public IReadOnlyList<(long Nanoseconds, double Fraction)> Cdf()
    {
        var points = new List<(long, double)>();
        long seen = 0;
        for (var i = 0; i < _counts.Length && Count > 0; i++)
        {
            if (_counts[i] == 0)
            {
                continue;
            }

            seen += _counts[i];
            var (low, width) = BucketRange(i);
            points.Add((Math.Min(low + width - 1, Max), (double)seen / Count));
        }

        return points;
    }

    internal static int IndexOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }

        var exponent = BitOperations.Log2((ulong)value);
        if (exponent >= MaxExponent)
        {
            return BucketCount - 1;
        }

        var shift = exponent - SubBucketBits;
        var top = (int)(value >> shift) - SubBucketCount;
        return LinearLimit + ((shift - 1) * SubBucketCount) + top;
    }

    internal static (long Low, long Width) BucketRange(int index)
    {
        if (index < LinearLimit)
        {
            return (index, 1);
        }

        var shift = ((index - LinearLimit) / SubBucketCount) + 1;
        var top = ((index - LinearLimit) % SubBucketCount) + SubBucketCount;
        return ((long)top << shift, 1L << shift);
    }
}
