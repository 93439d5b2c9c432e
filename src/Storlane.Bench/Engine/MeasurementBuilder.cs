using System.Diagnostics;
using Storlane.Bench.Metrics;

namespace Storlane.Bench.Engine;

/// <summary>Merges the slots' counters and histograms into one <see cref="TestMeasurement"/>.</summary>
internal static class MeasurementBuilder
{
    private const double NanosecondsPerMs = 1e6;
    private const double BytesPerMegabyte = 1e6;

    public static TestMeasurement Build(IoSlot[][] slots, WorkerState[] workers, long measureStart, double cpuPercent)
    {
        var latency = new LatencyHistogram();
        long reads = 0, writes = 0, bytesRead = 0, bytesWritten = 0, verified = 0, verifyErrors = 0, last = measureStart;
        string? firstError = null;
        var seconds = slots[0][0].SecondIos.Length;
        var secondIos = new long[seconds];
        var secondBytes = new long[seconds];
        var secondLatency = new long[seconds];
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
                last = Math.Max(last, slot.LastCompletion);
                for (var s = 0; s < seconds; s++)
                {
                    secondIos[s] += slot.SecondIos[s];
                    secondBytes[s] += slot.SecondBytes[s];
                    secondLatency[s] += slot.SecondLatencyNs[s];
                }
            }
        }

        var elapsed = Math.Max(1e-9, (double)(last - measureStart) / Stopwatch.Frequency);
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
            TimeSeries = BuildSeries(secondIos, secondBytes, secondLatency, elapsed),
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

    internal static List<SecondSample> BuildSeries(long[] ios, long[] bytes, long[] latencyNs, double elapsed)
    {
        var series = new List<SecondSample>();
        var lastSecond = (int)Math.Min(ios.Length - 1, Math.Ceiling(elapsed) - 1);

        // A sliver of a second at the end (the last I/Os completing just past the deadline) is no
        // rate: a few I/Os over 10 ns would plot as millions of IOPS. A partial last second is kept
        // only when it covers at least a tenth of a second; its I/Os still count in the totals.
        if (lastSecond > 0 && elapsed - lastSecond < 0.1)
        {
            lastSecond--;
        }

        for (var s = 0; s <= lastSecond; s++)
        {
            // The last second may be partial: scale it to a per-second rate.
            var length = Math.Min(1.0, elapsed - s);
            var mean = ios[s] == 0 ? 0 : latencyNs[s] / (double)ios[s] / NanosecondsPerMs;
            series.Add(new SecondSample(s, ios[s] / length, bytes[s] / BytesPerMegabyte / length, mean));
        }

        return series;
    }
}
