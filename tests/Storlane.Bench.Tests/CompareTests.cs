using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;
using Storlane.Bench.Statistics;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;
using Storlane.Bench.Workload;

namespace Storlane.Bench.Tests;

public sealed class CompareTests
{
    private static readonly double[] Baseline = [3001.6, 2987.2, 3015.9, 2995.4, 3008.8];
    private static readonly double[] SameAgain = [2999.1, 3010.3, 2990.7, 3004.2, 2996.5];

    private static BenchReport Report(IEnumerable<double> iops) => new()
    {
        StorlaneVersion = "test",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        Machine = MachineInfo.Current(),
        Suite = "anvil",
        Repeat = 5,
        Order = "single",
        Targets = [new BenchTargetInfo { Spec = "memory:1GiB", Kind = "memory", LogicalBlockSize = 512, PhysicalBlockSize = 512, BlockCount = 1 << 21 }],
        Tests =
        [
            new TestReport
            {
                Name = "Read 4K",
                Metric = PrimaryMetric.Iops,
                Workload = WorkloadSpec.Simple(4096, 100, 100),
                Results = [new TargetRuns { Target = 0, Runs = [.. iops.Select(v => new TestMeasurement { Iops = v, MeanLatencyMs = 1000 / v })] }],
            },
        ],
    };

    [Fact]
    public void InjectedTenPercentDifference_IsSignificant()
    {
        var rows = ReportComparer.Compare(Report(Baseline), Report(Baseline.Select(v => v * 1.1)));

        var row = Assert.Single(rows);
        Assert.Equal(Verdict.Significant, row.Primary.Verdict);
        Assert.Equal(10, row.Primary.DifferencePercent, 6);
        Assert.Equal(Verdict.Significant, row.Latency.Verdict);
    }

    [Fact]
    public void TwoRunsOfTheSameConfiguration_AreNotSignificant()
    {
        var row = Assert.Single(ReportComparer.Compare(Report(Baseline), Report(SameAgain)));

        Assert.Equal(Verdict.NotSignificant, row.Primary.Verdict);
        Assert.Equal(Verdict.NotSignificant, row.Latency.Verdict);
    }

    [Fact]
    public async Task ResultFile_RoundTripsThroughJson()
    {
        var path = Path.Combine(Path.GetTempPath(), $"storlane-bench-{Guid.NewGuid():N}.json");
        try
        {
            await JsonReport.WriteAsync(Report(Baseline), path);
            var read = await JsonReport.ReadAsync(path);

            Assert.Equal(BenchReport.CurrentSchema, read.Schema);
            Assert.Equal(Baseline, read.Tests[0].Results[0].Runs.Select(m => m.Iops));
            Assert.Equal(4096, read.Tests[0].Workload.Access[0].BlockSize);
            Assert.Contains("\"metric\": \"iops\"", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Csv_HasOneRowPerRun()
    {
        var lines = CsvReport.Format(Report(Baseline)).TrimEnd().Split('\n');

        Assert.Equal(6, lines.Length);
        Assert.StartsWith("Read 4K,memory:1GiB,1,4096,1,1,", lines[1], StringComparison.Ordinal);
    }
}
