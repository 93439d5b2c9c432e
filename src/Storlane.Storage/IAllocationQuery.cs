namespace Storlane.Storage;

/// <summary>
/// Optional device capability: which blocks hold data and which are deallocated (holes, unmapped
/// VHDX blocks). GET LBA STATUS (SBC-3 5.20) reports it; a device without it is reported as
/// "mapped or unknown".
/// </summary>
public interface IAllocationQuery
{
    /// <summary>
    /// The run of blocks starting at <paramref name="lba"/> that share one state, at most
    /// <paramref name="maxBlocks"/> long. Deallocated blocks read back as zeros.
    /// </summary>
    ValueTask<AllocationRun> QueryAllocationAsync(long lba, long maxBlocks, CancellationToken cancellationToken = default);
}

/// <summary>A run of blocks in one provisioning state.</summary>
public readonly record struct AllocationRun(long Lba, long BlockCount, bool Mapped);
