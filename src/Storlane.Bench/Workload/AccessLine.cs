namespace Storlane.Bench.Workload;

/// <summary>
/// One line of an Iometer-style access specification: this share of the I/Os (by weight) uses
/// this transfer size, read percentage and random percentage.
/// </summary>
public sealed record AccessLine
{
    public required int BlockSize { get; init; }

    /// <summary>Relative weight among the lines (Iometer's "% of access specification").</summary>
    public int Weight { get; init; } = 1;

    /// <summary>0 = all writes, 100 = all reads.</summary>
    public int ReadPercent { get; init; } = 100;

    /// <summary>0 = sequential, 100 = uniformly random offsets.</summary>
    public int RandomPercent { get; init; } = 100;
}
