namespace Storlane.Storage;

/// <summary>
/// Optional device capability: make blocks read as zeros without sending zeros to the medium
/// (librbd write_zeroes, fallocate zero-range). WRITE SAME of a zero block uses it.
/// </summary>
public interface IZeroingDevice : IBlockDevice
{
    ValueTask WriteZeroesAsync(long lba, long blockCount, CancellationToken cancellationToken = default);
}
