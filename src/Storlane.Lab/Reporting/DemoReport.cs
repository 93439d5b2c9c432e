using Storlane.Bench.Reporting;

namespace Storlane.Lab.Reporting;

/// <summary>
/// The result of <c>storlane demo</c>: the comparisons (one path against two, 512 against 4K),
/// judged at <see cref="Alpha"/> (Bonferroni over their rows), and a cable pulled under load.
/// </summary>
public sealed record DemoReport(LabReportHeader Header, double Alpha, IReadOnlyList<DemoComparison> Comparisons, DemoFailover Failover);

/// <summary>
/// One compared row: <paramref name="LabelA"/> and <paramref name="LabelB"/> benchmarked together
/// (runs interleaved A B B A), <paramref name="Row"/> as <see cref="ReportComparer"/> judged it,
/// and <paramref name="Verdict"/> in words. The bench's files are relative to the report.
/// </summary>
public sealed record DemoComparison(string LabelA, string LabelB, RowComparison Row, string Verdict, string BenchJson, string? BenchHtml)
{
    /// <summary>"1 path vs 2 paths".</summary>
    public string Compared => LabelA + " vs " + LabelB;
}

/// <summary>
/// The cable pulled while verified I/O ran: the failover experiment's analysis of that run, and
/// what the application saw of it: its slowest I/O (submit to completion, retries included) and
/// the longest stretch of sample intervals in which no I/O completed.
/// </summary>
public sealed record DemoFailover
{
    /// <summary>"verified random 64K I/O ...": what ran while the cable was out.</summary>
    public required string Workload { get; init; }

    public required string PulledPath { get; init; }

    public required FailoverRow Run { get; init; }

    /// <summary>The slowest single I/O of the run (ms).</summary>
    public required double LongestIoMs { get; init; }

    /// <summary>99% of the run's I/Os completed within this (ms), for scale.</summary>
    public required double P99LatencyMs { get; init; }

    /// <summary>Longest run of whole sample intervals with no completion at all (ms; 0 when every interval had some).</summary>
    public required double LongestStallMs { get; init; }
}
