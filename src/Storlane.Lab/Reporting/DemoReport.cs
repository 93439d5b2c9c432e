using Storlane.Bench.Metrics;

namespace Storlane.Lab.Reporting;

/// <summary>The result of <c>storlane demo</c>: 512 vs 4K over two paths, and the cable pulled on the way.</summary>
public sealed record DemoReport(LabReportHeader Header, SectorComparison Comparison, DemoPull Pull);

/// <summary>
/// The pulled cable: which path, during which run (test and LUN), when (seconds into that run),
/// every failover the bench measured in any run, the errors the application saw, and the pulled
/// run's time series.
/// </summary>
public sealed record DemoPull
{
    public required string PulledPath { get; init; }

    public required string Test { get; init; }

    /// <summary>"512" or "4K": the LUN the run measured.</summary>
    public required string Lun { get; init; }

    public required double PullSeconds { get; init; }

    /// <summary>Seconds into the pulled run; past its end when the restore fell in a later run.</summary>
    public required double RestoreSeconds { get; init; }

    /// <summary>Every failover of every run, with the run's test and LUN.</summary>
    public required IReadOnlyList<DemoFailover> Failovers { get; init; }

    public required long IoErrors { get; init; }

    public string? FirstIoError { get; init; }

    public required long VerifyErrors { get; init; }

    public required double SampleIntervalSeconds { get; init; }

    public required IReadOnlyList<TimeSample> Series { get; init; }
}

/// <summary>
/// A failover and the run it completed in. A LUN that was idle when the cable was pulled counts its
/// failover from its last I/O before the pull to its first I/O after it, so its duration is mostly idle time.
/// </summary>
public sealed record DemoFailover(string Test, string Lun, FailoverRecord Failover);
