using System.Diagnostics;
using Storlane.Bench.Metrics;

namespace Storlane.Bench.Engine;

/// <summary>Merges the slots' counters and histograms into one <see cref="TestMeasurement"/>.</summary>
internal static class MeasurementBuilder
{
    private const double NanosecondsPerMs = 1e6;
    private const double BytesPerMegabyte = 1e6;

    public static TestMeasurement Build(IoSlot[][] slots, WorkerState[] workers, long measureStart, long sampleTicks, double cpuPercent)
    {
        var latency = new LatencyHistogram();
        long reads = 0, writes = 0, bytesRead = 0, bytesWritten = 0, verified = 0, verifyErrors = 0, ioErrors = 0, last = measureStart;
        string? firstError = null;
        string? firstIoError = null;
        var samples = slots[0][0].SampleIos.Length;
        var sampleIos = new long[samples];
        var sampleBytes = new long[samples];
        var sampleLatency = new long[samples];
        foreach (var worker in slots)
        {
            foreach (var slot in worker)
            {
                latency.Add(slot.Latency);
                reads += slot.ReadIos;
                writes += slot.WriteIos;
                bytesRead += slot.BytesRead;
                bytesWritten += slot.BytesWritten;
                verified += slot.VerifiedBlocks;
                verifyErrors += slot.VerifyErrors;
                firstError ??= slot.FirstVerifyError;
                ioErrors += slot.IoErrors;
                firstIoError ??= slot.FirstIoError;
                last = Math.Max(last, slot.LastCompletion);
                for (var s = 0; s < samples; s++)
                {
                    sampleIos[s] += slot.SampleIos[s];
                    sampleBytes[s] += slot.SampleBytes[s];
                    sampleLatency[s] += slot.SampleLatencyNs[s];
                }
            }
        }

        var elapsed = Math.Max(1e-9, (double)(last - measureStart) / Stopwatch.Frequency);
        var interval = (double)sampleTicks / Stopwatch.Frequency;
        var iops = (reads + writes) / elapsed;
        var maxOutstanding = 0;
        long outstandingSum = 0, issued = 0;
        foreach (var worker in workers)
        {
            maxOutstanding = Math.Max(maxOutstanding, worker.MaxOutstanding);
            outstandingSum += worker.OutstandingSum;
            issued += worker.Issued;
        }

        return new TestMeasurement
        {
            ReadIos = reads,
            WriteIos = writes,
            BytesRead = bytesRead,
            BytesWritten = bytesWritten,
            ElapsedSeconds = elapsed,
            Iops = iops,
            MegabytesPerSecond = (bytesRead + bytesWritten) / BytesPerMegabyte / elapsed,
            MeanLatencyMs = latency.Mean / NanosecondsPerMs,
            P50LatencyMs = latency.ValueAtPercentile(50) / NanosecondsPerMs,
            P90LatencyMs = latency.ValueAtPercentile(90) / NanosecondsPerMs,
            P99LatencyMs = latency.ValueAtPercentile(99) / NanosecondsPerMs,
            P999LatencyMs = latency.ValueAtPercentile(99.9) / NanosecondsPerMs,
            MaxLatencyMs = latency.Max / NanosecondsPerMs,
            CpuPercent = cpuPercent,
            IopsPerCpuPercent = cpuPercent > 0 ? iops / cpuPercent : 0,
            MaxOutstandingPerWorker = maxOutstanding,
            MeanOutstandingPerWorker = issued == 0 ? 0 : (double)outstandingSum / issued,
            VerifiedBlocks = verified,
            VerifyErrors = verifyErrors,
            FirstVerifyError = firstError,
            IoErrors = ioErrors,
            FirstIoError = firstIoError,
            SampleIntervalSeconds = interval,
            TimeSeries = BuildSeries(sampleIos, sampleBytes, sampleLatency, elapsed, interval),
            LatencyCdf = BuildCdf(latency),
            Latency = latency,
        };
    }

    private static List<CdfPoint> BuildCdf(LatencyHistogram latency)
    {
        var points = new List<CdfPoint>();
        foreach (var percentile in CdfPoint.Percentiles)
        {
            var nanoseconds = percentile == 0 ? (latency.Count == 0 ? 0 : latency.Min) : latency.ValueAtPercentile(percentile);
            points.Add(new CdfPoint(percentile, nanoseconds / NanosecondsPerMs));
        }

        return points;
    }

    /// <summary>
    /// The time series: one sample per <paramref name="interval"/> seconds of the
    /// <paramref name="elapsed"/> measured time, from per-interval counts, sums of bytes and of latency.
    /// </summary>
    internal static List<TimeSample> BuildSeries(long[] ios, long[] bytes, long[] latencyNs, double elapsed, double interval = 1)
    {
        var series = new List<TimeSample>();
        var intervals = elapsed / interval;
        var last = (int)Math.Min(ios.Length - 1, Math.Ceiling(intervals) - 1);

        // A sliver of an interval at the end (the last I/Os completing just past the deadline) is no
        // rate: a few I/Os over 10 ns would plot as millions of IOPS. A partial last interval is kept
        // only when it covers at least a tenth of the interval; its I/Os still count in the totals.
        if (last > 0 && intervals - last < 0.1)
        {
            last--;
        }

        for (var s = 0; s <= last; s++)
        {
            // The last interval may be partial: scale it to a rate.
            var length = Math.Min(1.0, intervals - s) * interval;
            var mean = ios[s] == 0 ? 0 : latencyNs[s] / (double)ios[s] / NanosecondsPerMs;
            series.Add(new TimeSample(Math.Round(s * interval, 6), ios[s], ios[s] / length, bytes[s] / BytesPerMegabyte / length, mean));
        }

        return series;
    }
}
