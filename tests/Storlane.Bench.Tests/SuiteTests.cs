using Storlane.Bench.Engine;
using Storlane.Bench.Suites;

namespace Storlane.Bench.Tests;

public sealed class SuiteTests
{
    [Fact]
    public void Anvil_HasExactlyTheSeedsRows_InItsOrder()
    {
        var suite = AnvilSuite.Create(durationSeconds: 5);

        var rows = suite.Tests.Select(t => (t.Name, t.Workload.Access.Single().BlockSize, t.Workload.Access.Single().ReadPercent, t.Workload.Access.Single().RandomPercent, t.Workload.QueueDepth, t.Workload.Workers, t.Metric));
        (string, int, int, int, int, int, PrimaryMetric)[] expected =
        [
            ("Read Seq 4MB", 4 << 20, 100, 0, 1, 1, PrimaryMetric.MegabytesPerSecond),
            ("Read 4K", 4096, 100, 100, 1, 1, PrimaryMetric.Iops),
            ("Read 4K QD4", 4096, 100, 100, 4, 1, PrimaryMetric.Iops),
            ("Read 4K QD16", 4096, 100, 100, 16, 1, PrimaryMetric.Iops),
            ("Read 32K", 32768, 100, 100, 1, 1, PrimaryMetric.Iops),
            ("Read 128K", 131072, 100, 100, 1, 1, PrimaryMetric.Iops),
            ("Write Seq 4MB", 4 << 20, 0, 0, 1, 1, PrimaryMetric.MegabytesPerSecond),
            ("Write 4K", 4096, 0, 100, 1, 1, PrimaryMetric.Iops),
            ("Write 4K QD4", 4096, 0, 100, 4, 1, PrimaryMetric.Iops),
            ("Write 4K QD16", 4096, 0, 100, 16, 1, PrimaryMetric.Iops),
        ];
        Assert.Equal(expected, rows);
        Assert.All(suite.Tests, t => Assert.Equal(5, t.Workload.DurationSeconds));
    }

    [Fact]
    public void CrystalDiskMark_HasItsFourPresets_ReadThenWrite()
    {
        var suite = CrystalDiskMarkSuite.Create(durationSeconds: 5);

        Assert.Equal(
            ["SEQ1M Q8T1 Read", "SEQ1M Q8T1 Write", "SEQ1M Q1T1 Read", "SEQ1M Q1T1 Write", "RND4K Q32T1 Read", "RND4K Q32T1 Write", "RND4K Q1T1 Read", "RND4K Q1T1 Write"],
            suite.Tests.Select(t => t.Name));
        Assert.Equal([8, 8, 1, 1, 32, 32, 1, 1], suite.Tests.Select(t => t.Workload.QueueDepth));
        Assert.All(suite.Tests, t => Assert.Equal(1, t.Workload.Workers));
        Assert.All(suite.Tests, t => Assert.Equal(PrimaryMetric.MegabytesPerSecond, t.Metric));
    }

    [Fact]
    public void RunOrder_InterleavesTwoTargets_ABBA()
    {
        var order = Enumerable.Range(0, 4).SelectMany(r => RunOrder.ForRepetition(r, 2));

        Assert.Equal([0, 1, 1, 0, 0, 1, 1, 0], order);
    }

    [Fact]
    public void Yaml_IometerStyleSuite_IsRead()
    {
        const string Yaml = """
            name: oltp
            duration: 2s
            queue_depth: 4
            tests:
              - name: database
                workers: 2
                access:
                  - { size: 8K, weight: 90, read: 70, random: 100 }
                  - { size: 64K, weight: 10, read: 0, random: 0 }
              - name: backup
                size: 1M
                read: 100
                random: 0
                rate_bytes: 100M
                metric: megabytes_per_second
            """;

        var suite = YamlSuiteLoader.Parse(Yaml, "oltp.yaml");

        Assert.Equal("oltp", suite.Name);
        var database = suite.Tests[0].Workload;
        Assert.Equal(2, database.Workers);
        Assert.Equal(4, database.QueueDepth);
        Assert.Equal(2, database.DurationSeconds);
        Assert.Equal(new Workload.AccessLine { BlockSize = 8192, Weight = 90, ReadPercent = 70, RandomPercent = 100 }, database.Access[0]);
        Assert.Equal(65536, database.Access[1].BlockSize);
        var backup = suite.Tests[1];
        Assert.Equal(PrimaryMetric.MegabytesPerSecond, backup.Metric);
        Assert.Equal(100 << 20, backup.Workload.RateLimitBytesPerSecond);
        Assert.Equal(0, backup.Workload.Access.Single().RandomPercent);
    }

    [Fact]
    public void Yaml_Mistakes_AreReportedWithTheirLines()
    {
        const string Yaml = """
            name: broken
            tests:
              - name: one
                size: 4Q
                queue_dept: 4
                read: 120
            """;

        var error = Assert.Throws<SuiteFormatException>(() => YamlSuiteLoader.Parse(Yaml, "broken.yaml"));

        Assert.Equal(
            [
                "broken.yaml:4:11: '4Q' is not a size: expected " + Storage.ByteSize.Expected,
                "broken.yaml:5:5: unknown key 'queue_dept' (did you mean 'queue_depth'?)",
                "broken.yaml:6:11: 120 is not a percentage (0-100)",
            ],
            error.Problems);
    }

    [Fact]
    public void Yaml_SyntaxError_NamesTheLine()
    {
        var error = Assert.Throws<SuiteFormatException>(() => YamlSuiteLoader.Parse("tests:\n  - name: x\n   size: [4K\n", "bad.yaml"));

        Assert.StartsWith("bad.yaml:3:", error.Problems.Single(), StringComparison.Ordinal);
    }
}
