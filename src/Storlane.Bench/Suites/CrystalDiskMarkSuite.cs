using Storlane.Bench.Workload;

namespace Storlane.Bench.Suites;

/// <summary>CrystalDiskMark 8's default presets, each read then written, reported in MB/s as CDM does.</summary>
public static class CrystalDiskMarkSuite
{
    public const string Name = "cdm";

    public static BenchSuite Create(double durationSeconds, double warmUpSeconds = 0)
    {
        var tests = new List<SuiteTest>();
        foreach (var (label, size, random, queueDepth) in new[] { ("SEQ1M Q8T1", 1 << 20, 0, 8), ("SEQ1M Q1T1", 1 << 20, 0, 1), ("RND4K Q32T1", 4096, 100, 32), ("RND4K Q1T1", 4096, 100, 1) })
        {
            foreach (var (direction, readPercent) in new[] { ("Read", 100), ("Write", 0) })
            {
                var spec = WorkloadSpec.Simple(size, readPercent, random, queueDepth) with { DurationSeconds = durationSeconds, WarmUpSeconds = warmUpSeconds };
                tests.Add(new SuiteTest($"{label} {direction}", spec, PrimaryMetric.MegabytesPerSecond));
            }
        }

        return new BenchSuite(Name, tests);
    }
}
