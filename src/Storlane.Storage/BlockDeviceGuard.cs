using System.Diagnostics.CodeAnalysis;

namespace Storlane.Storage;

/// <summary>Range checks shared by the device family: a bad range is a caller bug, not a SCSI error.</summary>
internal static class BlockDeviceGuard
{
    public static void CheckRange(in BlockGeometry geometry, long lba, long byteLength)
    {
        if (byteLength % geometry.LogicalBlockSize != 0)
        {
            ThrowNotWholeBlocks(byteLength, geometry.LogicalBlockSize);
        }

        CheckBlocks(geometry, lba, byteLength / geometry.LogicalBlockSize);
    }

    public static void CheckBlocks(in BlockGeometry geometry, long lba, long blockCount)
    {
        if (lba < 0 || blockCount < 0 || lba > geometry.BlockCount - blockCount)
        {
            ThrowOutOfRange(lba, blockCount, geometry.BlockCount);
        }
    }

    [DoesNotReturn]
    private static void ThrowNotWholeBlocks(long length, int blockSize) =>
        throw new ArgumentException($"buffer length {length} is not a multiple of the block size {blockSize}");

    [DoesNotReturn]
    private static void ThrowOutOfRange(long lba, long count, long blocks) =>
        throw new ArgumentOutOfRangeException(nameof(lba), $"blocks {lba}+{count} lie outside a device of {blocks} blocks");
}
