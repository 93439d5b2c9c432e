using Storlane.Bench.Workload;
using Storlane.Storage;

namespace Storlane.Bench.Suites;

/// <summary>
/// Anvil's Storage Utilities rows exactly as the seed's 512 vs 4K table lists them, in its order.
/// Anvil's semantics: "Seq 4MB" is sequential 4 MiB transfers reported in MB/s; 4K, 32K and 128K
/// are random transfers reported in IOPS (the seed's 4K read of 3001 is IOPS: 12 MB/s would be
/// implausibly low beside 417 MB/s sequential); QD1 unless the row names a queue depth.
/// </summary>
public static class AnvilSuite
{
    public const string Name = "anvil";

    public static BenchSuite Create(double durationSeconds, double warmUpSeconds = 0)
    {
        SuiteTest Row(string name, string size, int readPercent, int randomPercent, int queueDepth, PrimaryMetric metric) =>
            new(name, WorkloadSpec.Simple((int)ByteSize.Parse(size), readPercent, randomPercent, queueDepth) with
            {
                DurationSeconds = durationSeconds,
                WarmUpSeconds = warmUpSeconds,
            }, metric);

        return new BenchSuite(Name,
        [
            Row("Read Seq 4MB", "4M", 100, 0, 1, PrimaryMetric.MegabytesPerSecond),
            Row("Read 4K", "4K", 100, 100, 1, PrimaryMetric.Iops),
            Row("Read 4K QD4", "4K", 100, 100, 4, PrimaryMetric.Iops),
            Row("Read 4K QD16", "4K", 100, 100, 16, PrimaryMetric.Iops),
            Row("Read 32K", "32K", 100, 100, 1, PrimaryMetric.Iops),
            Row("Read 128K", "128K", 100, 100, 1, PrimaryMetric.Iops),
            Row("Write Seq 4MB", "4M", 0, 0, 1, PrimaryMetric.MegabytesPerSecond),
            Row("Write 4K", "4K", 0, 100, 1, PrimaryMetric.Iops),
            Row("Write 4K QD4", "4K", 0, 100, 4, PrimaryMetric.Iops),
            Row("Write 4K QD16", "4K", 0, 100, 16, PrimaryMetric.Iops),
        ]);
    }
}
