using Storlane.Bench.Reporting;

namespace Storlane.Lab.Reporting;

/// <summary>What every lab report starts with: the experiment, the kind of links it ran over, and how it was run.</summary>
public sealed record LabReportHeader
{
    public const string CurrentSchema = "storlane-lab/1";

    public string Schema { get; init; } = CurrentSchema;

    /// <summary>sector-size, mpio, failover or demo.</summary>
    public required string Experiment { get; init; }

    /// <summary>"namespaces" or "in-process".</summary>
    public required string LinkMode { get; init; }

    /// <summary>The topology's own description of its links (and, for in-process links, why).</summary>
    public required string LinkDescription { get; init; }

    public required long LinkBitsPerSecond { get; init; }

    public required bool Short { get; init; }

    public required int Repeat { get; init; }

    public required double DurationSeconds { get; init; }

    /// <summary>The command that produced the report.</summary>
    public required string CommandLine { get; init; }

    public required DateTimeOffset CreatedUtc { get; init; }

    public required string StorlaneVersion { get; init; }

    public required MachineInfo Machine { get; init; }
}
