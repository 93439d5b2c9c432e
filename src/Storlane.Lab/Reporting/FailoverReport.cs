using Storlane.Bench.Metrics;

namespace Storlane.Lab.Reporting;

/// <summary>The result of <c>storlane lab failover</c>: one row per path policy.</summary>
public sealed record FailoverReport(LabReportHeader Header, IReadOnlyList<FailoverRow> Rows);

/// <summary>
/// One policy's run: when the cable of <see cref="PulledNic"/> was pulled and restored (seconds since
/// the run's measured start), the failovers the bench measured, the errors the application saw, and
/// how far throughput fell.
/// </summary>
public sealed record FailoverRow
{
    public required string Policy { get; init; }

    /// <summary>Which repetition of the policy (1 unless <c>--repeat</c> asked for more).</summary>
    public int Run { get; init; } = 1;

    public required int PulledNic { get; init; }

    public required double PullSeconds { get; init; }

    public required double RestoreSeconds { get; init; }

    public required IReadOnlyList<FailoverRecord> Failovers { get; init; }

    /// <summary>The longest failover that began at or after the pull (ms); NaN when none did.</summary>
    public required double FailoverMs { get; init; }

    public required int RetriedIos { get; init; }

    /// <summary>I/Os that failed where the application saw them (the goal is 0).</summary>
    public required long IoErrors { get; init; }

    public string? FirstIoError { get; init; }

    public required long VerifyErrors { get; init; }

    public required long VerifiedBlocks { get; init; }

    /// <summary>Mean MB/s of the whole intervals before the pull.</summary>
    public required double BaselineMegabytesPerSecond { get; init; }

    /// <summary>The lowest interval MB/s from the pull to the restore (the partial last interval left out).</summary>
    public required double MinMegabytesPerSecond { get; init; }

    /// <summary>How far the lowest interval fell below the baseline, in percent (100 = I/O stopped for an interval).</summary>
    public required double DipPercent { get; init; }

    public required double MeanMegabytesPerSecond { get; init; }

    public required double SampleIntervalSeconds { get; init; }

    public required IReadOnlyList<TimeSample> Series { get; init; }

    public required IReadOnlyList<PathCounters> Paths { get; init; }

    public required string BenchJson { get; init; }
}
