using Storlane.Bench.Workload;

namespace Storlane.Bench.Suites;

/// <summary>A named, ordered list of tests, run and reported in this order.</summary>
public sealed record BenchSuite(string Name, IReadOnlyList<SuiteTest> Tests);

/// <summary>One row of a suite: a workload and the figure the suite reports for it.</summary>
public sealed record SuiteTest(string Name, WorkloadSpec Workload, PrimaryMetric Metric);

/// <summary>The number a row is judged by (the seed's table mixes MB/s for sequential rows and IOPS for the rest).</summary>
public enum PrimaryMetric
{
    Iops,
    MegabytesPerSecond,
    MeanLatencyMs,
}
