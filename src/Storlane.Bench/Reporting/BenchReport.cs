using System.Text.Json.Serialization;
using Storlane.Bench.Metrics;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;
using Storlane.Bench.Workload;

namespace Storlane.Bench.Reporting;

/// <summary>
/// A result file: the schema docs/bench.md documents. Bump <see cref="CurrentSchema"/> when a field
/// changes meaning or goes away; adding fields keeps the version. Version 2 replaced the per-second
/// series (<c>timeSeries[].second</c>) by intervals of <c>sampleIntervalSeconds</c>
/// (<c>timeSeries[].startSeconds</c>) and added multipath failovers, path counters and I/O errors;
/// version 1 files are still read (<see cref="SchemaUpgrade"/>).
/// </summary>
public sealed record BenchReport
{
    public const string CurrentSchema = "storlane-bench/2";

    public string Schema { get; init; } = CurrentSchema;

    public required string StorlaneVersion { get; init; }

    public required DateTimeOffset CreatedUtc { get; init; }

    public required MachineInfo Machine { get; init; }

    public required string Suite { get; init; }

    public required int Repeat { get; init; }

    /// <summary>How runs of several targets were ordered: "ABBA" interleaving, or "single".</summary>
    public required string Order { get; init; }

    public required IReadOnlyList<BenchTargetInfo> Targets { get; init; }

    public required IReadOnlyList<TestReport> Tests { get; init; }

    /// <summary>
    /// Set when the run was stopped before the end (Ctrl-C): the file holds only the runs completed
    /// by then. Absent from a complete result file.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PartialRun? Partial { get; init; }
}

/// <summary>How far a stopped run got: runs completed (and kept) of the runs the suite planned.</summary>
public sealed record PartialRun(int CompletedRuns, int PlannedRuns)
{
    public string Describe() => $"partial result: stopped after {CompletedRuns} of {PlannedRuns} runs (the run in progress was dropped)";
}

/// <summary>One suite row: its workload and, per target, every run.</summary>
public sealed record TestReport
{
    public required string Name { get; init; }

    public required PrimaryMetric Metric { get; init; }

    public required WorkloadSpec Workload { get; init; }

    /// <summary>One entry per target, in the order of <see cref="BenchReport.Targets"/>.</summary>
    public required IReadOnlyList<TargetRuns> Results { get; init; }
}

/// <summary>The runs of one test on one target, in the order they ran.</summary>
public sealed record TargetRuns
{
    public required int Target { get; init; }

    public required IReadOnlyList<TestMeasurement> Runs { get; init; }
}
