namespace Storlane.Storage;

/// <summary>
/// Optional device capability: COMPARE AND WRITE done by the device itself, atomically against
/// every writer of the medium, including writers in other processes or on other machines (an RBD
/// image behind several gateways, where a lock in one gateway excludes nobody else). The SCSI
/// layer uses it instead of its own in-process gate when the request fits
/// <see cref="MaxCompareAndWriteBlocks"/>.
/// </summary>
public interface ICompareAndWriteDevice : IBlockDevice
{
    /// <summary>The most blocks one atomic compare-and-write may cover; 0 when the device cannot at this block size.</summary>
    int MaxCompareAndWriteBlocks { get; }

    /// <summary>
    /// Compares the blocks at <paramref name="lba"/> with <paramref name="compare"/> and only if
    /// they are equal writes <paramref name="write"/> there, as one atomic action. Returns -1 when it
    /// wrote, else the offset in bytes from the start of <paramref name="compare"/> of the first
    /// byte that differed (nothing was written).
    /// </summary>
    ValueTask<long> CompareAndWriteAsync(long lba, ReadOnlyMemory<byte> compare, ReadOnlyMemory<byte> write, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default);
}
