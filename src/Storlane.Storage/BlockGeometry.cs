namespace Storlane.Storage;

/// <summary>
/// Sector geometry of a logical unit: 512n (512/512), 512e (512 logical on 4096 physical) or
/// 4Kn (4096/4096). READ CAPACITY(16) reports the ratio as LOGICAL BLOCKS PER PHYSICAL BLOCK
/// EXPONENT (SBC-3 5.16.2): 512e is exponent 3.
/// </summary>
public readonly record struct BlockGeometry
{
    public BlockGeometry(int logicalBlockSize, int physicalBlockSize, long blockCount)
    {
        if (!IsSupportedBlockSize(logicalBlockSize))
        {
            throw new ArgumentOutOfRangeException(nameof(logicalBlockSize), logicalBlockSize, "logical block size must be 512 or 4096");
        }

        if (!IsSupportedBlockSize(physicalBlockSize) || physicalBlockSize < logicalBlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(physicalBlockSize), physicalBlockSize, "physical block size must be 512 or 4096 and not below the logical block size");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockCount);
        LogicalBlockSize = logicalBlockSize;
        PhysicalBlockSize = physicalBlockSize;
        BlockCount = blockCount;
    }

    public int LogicalBlockSize { get; }

    public int PhysicalBlockSize { get; }

    /// <summary>Number of logical blocks; the last LBA is BlockCount - 1.</summary>
    public long BlockCount { get; }

    public long SizeInBytes => BlockCount * LogicalBlockSize;

    /// <summary>log2(physical / logical): 0 for 512n and 4Kn, 3 for 512e.</summary>
    public int LogicalPerPhysicalExponent => System.Numerics.BitOperations.Log2((uint)(PhysicalBlockSize / LogicalBlockSize));

    public static BlockGeometry FromSize(long sizeInBytes, int logicalBlockSize, int physicalBlockSize)
    {
        if (!IsSupportedBlockSize(logicalBlockSize))
        {
            throw new ArgumentOutOfRangeException(nameof(logicalBlockSize), logicalBlockSize, "logical block size must be 512 or 4096");
        }

        if (sizeInBytes <= 0 || sizeInBytes % logicalBlockSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sizeInBytes), sizeInBytes, $"size must be a positive multiple of the logical block size ({logicalBlockSize})");
        }

        return new BlockGeometry(logicalBlockSize, physicalBlockSize, sizeInBytes / logicalBlockSize);
    }

    public static bool IsSupportedBlockSize(int size) => size is 512 or 4096;

    public override string ToString() => $"{BlockCount} x {LogicalBlockSize} B (physical {PhysicalBlockSize} B)";
}
