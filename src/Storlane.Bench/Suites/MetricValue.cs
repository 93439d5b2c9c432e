using Storlane.Bench.Metrics;

namespace Storlane.Bench.Suites;

/// <summary>Reads a row's primary metric out of a measurement, and names it for tables.</summary>
public static class MetricValue
{
    public static double Of(TestMeasurement measurement, PrimaryMetric metric) => metric switch
    {
        PrimaryMetric.Iops => measurement.Iops,
        PrimaryMetric.MegabytesPerSecond => measurement.MegabytesPerSecond,
        PrimaryMetric.MeanLatencyMs => measurement.MeanLatencyMs,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    public static string Unit(PrimaryMetric metric) => metric switch
    {
        PrimaryMetric.Iops => "IOPS",
        PrimaryMetric.MegabytesPerSecond => "MB/s",
        _ => "ms",
    };

    /// <summary>Latency: lower is better, and its distribution is skewed (so ranks, not means, decide).</summary>
    public static bool IsLatency(PrimaryMetric metric) => metric == PrimaryMetric.MeanLatencyMs;
}
