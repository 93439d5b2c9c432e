using System.Text.Json.Serialization;

namespace Storlane.Bench.Metrics;

/// <summary>What one run of one test measured. Times in milliseconds, throughput in MB/s (10^6 bytes, as Anvil and CrystalDiskMark).</summary>
public sealed record TestMeasurement
{
    public long ReadIos { get; init; }

    public long WriteIos { get; init; }

    public long BytesRead { get; init; }

    public long BytesWritten { get; init; }

    /// <summary>Measured wall time: from the end of the warm-up to the last completion.</summary>
    public double ElapsedSeconds { get; init; }

    public double Iops { get; init; }

    public double MegabytesPerSecond { get; init; }

    public double MeanLatencyMs { get; init; }

    public double P50LatencyMs { get; init; }

    public double P90LatencyMs { get; init; }

    public double P99LatencyMs { get; init; }

    public double P999LatencyMs { get; init; }

    public double MaxLatencyMs { get; init; }

    /// <summary>Process CPU time over wall time, as a percentage of all cores (100 = every core busy), over the whole test including warm-up.</summary>
    public double CpuPercent { get; init; }

    /// <summary>Iometer's CPU effectiveness: IOPS per percent of CPU.</summary>
    public double IopsPerCpuPercent { get; init; }

    /// <summary>Most I/Os one worker had in flight at once: equals the queue depth when it was held.</summary>
    public int MaxOutstandingPerWorker { get; init; }

    /// <summary>Mean I/Os a worker had in flight, sampled as each I/O was issued (itself included).</summary>
    public double MeanOutstandingPerWorker { get; init; }

    public long VerifiedBlocks { get; init; }

    public long VerifyErrors { get; init; }

    /// <summary>The first verify failure, with its offset; null when none.</summary>
    public string? FirstVerifyError { get; init; }

    /// <summary>I/Os that failed where the application would see it (a multipath target after its own retries); the run went on. Always 0 for single targets, whose first error ends the run.</summary>
    public long IoErrors { get; init; }

    /// <summary>The first of those errors; null when none.</summary>
    public string? FirstIoError { get; init; }

    /// <summary>Failovers of a multipath target during the run (warm-up included), in the order they completed.</summary>
    public IReadOnlyList<FailoverRecord> Failovers { get; init; } = [];

    /// <summary>Per-path counters of a multipath target over the measured part of the run, and each path's state at its end; empty for single targets.</summary>
    public IReadOnlyList<PathCounters> Paths { get; init; } = [];

    /// <summary>Length of one <see cref="TimeSeries"/> interval in seconds (<c>--sample-interval</c>).</summary>
    public double SampleIntervalSeconds { get; init; } = 1;

    public IReadOnlyList<TimeSample> TimeSeries { get; init; } = [];

    /// <summary>The latency distribution at fixed percentiles (<see cref="CdfPoint.Percentiles"/>), for CDF charts.</summary>
    public IReadOnlyList<CdfPoint> LatencyCdf { get; init; } = [];

    /// <summary>All latencies of the run (for merging repeats and for CDFs); not serialized.</summary>
    [JsonIgnore]
    public LatencyHistogram? Latency { get; init; }

    public long TotalIos => ReadIos + WriteIos;
}

/// <summary>
/// One interval of a run (<see cref="TestMeasurement.SampleIntervalSeconds"/> long, starting
/// <see cref="StartSeconds"/> after the measured start): I/Os completed in it, their rate, MB/s and
/// mean latency (0 when none completed). A partial last interval is scaled to a rate.
/// </summary>
public sealed record TimeSample(double StartSeconds, long Ios, double Iops, double MegabytesPerSecond, double MeanLatencyMs);

/// <summary>The latency (ms) at or below which <see cref="Percentile"/> % of the I/Os completed.</summary>
public sealed record CdfPoint(double Percentile, double LatencyMs)
{
    /// <summary>Dense in the tail, where storage latency distributions differ.</summary>
    public static IReadOnlyList<double> Percentiles { get; } = [0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 100];
}
