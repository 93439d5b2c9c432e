using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;
using Storlane.Bench.Workload;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>Bench results built by hand, for the report builders' unit tests.</summary>
internal static class FakeReports
{
    public static TestMeasurement Run(double megabytesPerSecond, double iops = 0, double meanLatencyMs = 1) => new()
    {
        MegabytesPerSecond = megabytesPerSecond,
        Iops = iops,
        MeanLatencyMs = meanLatencyMs,
        ElapsedSeconds = 1,
    };

    /// <summary>One target; per test its metric and the runs' values (MB/s for MB/s rows, IOPS otherwise).</summary>
    public static BenchReport Single(params (string Test, PrimaryMetric Metric, double[] Values)[] tests) =>
        Report(1, [.. tests.Select(t => Test(t.Test, t.Metric, [t.Values]))]);

    public static TestReport Test(string name, PrimaryMetric metric, IReadOnlyList<double[]> valuesPerTarget, double latencyMs = 1) => new()
    {
        Name = name,
        Metric = metric,
        Workload = WorkloadSpec.Simple(4096, 100, 100),
        Results = [.. valuesPerTarget.Select((values, target) => new TargetRuns
        {
            Target = target,
            Runs = [.. values.Select(v => metric == PrimaryMetric.Iops ? Run(v * 4096 / 1e6, v, latencyMs) : Run(v, v / 4, latencyMs))],
        })],
    };

    public static BenchReport Report(int targets, IReadOnlyList<TestReport> tests, int repeat = 2) => new()
    {
        StorlaneVersion = "test",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        Machine = Machine,
        Suite = "test",
        Repeat = repeat,
        Order = targets > 1 ? "ABBA" : "single",
        Targets = [.. Enumerable.Range(0, targets).Select(t => new BenchTargetInfo { Spec = "memory:1GiB", Kind = "memory", LogicalBlockSize = 512, PhysicalBlockSize = 512, BlockCount = 1 << 21 })],
        Tests = tests,
    };

    public static MachineInfo Machine { get; } = new() { HostName = "lab", OperatingSystem = "Linux", Architecture = "x64", ProcessorCount = 2, Runtime = ".NET 10" };

    public static Reporting.LabReportHeader Header(string experiment = "test") => new()
    {
        Experiment = experiment,
        LinkMode = "namespaces",
        LinkDescription = "network namespaces, tc tbf 1 Gbit/s per link",
        LinkBitsPerSecond = 1_000_000_000,
        Short = true,
        Repeat = 2,
        DurationSeconds = 1,
        CommandLine = "storlane lab " + experiment + " --short",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        StorlaneVersion = "test",
        Machine = Machine,
    };
}
