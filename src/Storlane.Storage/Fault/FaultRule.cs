namespace Storlane.Storage.Fault;

/// <summary>
/// One injected fault: what it does, to which operations, and optionally only to I/O touching the
/// LBA range [<see cref="FirstLba"/>, <see cref="FirstLba"/> + <see cref="BlockCount"/>). A rule with
/// a range never matches FLUSH, which names no blocks.
/// </summary>
public sealed record FaultRule
{
    public required FaultKind Kind { get; init; }

    public FaultOperations Operations { get; init; } = FaultOperations.All;

    public long FirstLba { get; init; }

    /// <summary>Blocks in the range; <see cref="long.MaxValue"/> (the default) means the whole device.</summary>
    public long BlockCount { get; init; } = long.MaxValue;

    /// <summary>How long a <see cref="FaultKind.Delay"/> fault holds the operation.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// A hang that ignores cancellation: a wedged device whose aborts go nowhere, so only
    /// <see cref="FaultInjectingBlockDevice.ReleaseHung"/> or <see cref="FaultInjectingBlockDevice.Clear"/> end it.
    /// </summary>
    public bool IgnoreCancellation { get; init; }

    /// <summary>How many operations the rule hits before it expires by itself; null for no limit.</summary>
    public int? Times { get; init; }

    internal bool CoversWholeDevice => FirstLba == 0 && BlockCount == long.MaxValue;

    /// <summary>True when the operation is one of <see cref="Operations"/> and its blocks overlap the range.</summary>
    internal bool Matches(FaultOperations operation, long lba, long blocks)
    {
        if ((Operations & operation) == 0)
        {
            return false;
        }

        if (CoversWholeDevice)
        {
            return true;
        }

        if (operation == FaultOperations.Flush)
        {
            return false;
        }

        // Overlap of [lba, lba + blocks) with [FirstLba, FirstLba + BlockCount), without overflow.
        return lba < FirstLba + Math.Min(BlockCount, long.MaxValue - FirstLba) && FirstLba < lba + Math.Max(blocks, 1);
    }
}
