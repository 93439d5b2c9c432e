namespace Storlane.Storage.Vhdx;

/// <summary>
/// BAT geometry (MS-VHDX 2.5): payload entries interleaved with one sector bitmap entry after every
/// chunk. "The chunk ratio is the number of payload blocks in a chunk"; chunk ratio =
/// (2^23 * LogicalSectorSize) / BlockSize.
/// </summary>
internal readonly record struct VhdxBatLayout
{
    public VhdxBatLayout(long virtualDiskSize, int blockSize, int logicalSectorSize, bool hasParent)
    {
        BlockSize = blockSize;
        ChunkRatio = (int)((VhdxFormat.SectorsPerChunk * logicalSectorSize) / blockSize);
        DataBlockCount = (virtualDiskSize + blockSize - 1) / blockSize;
        SectorBitmapBlockCount = (DataBlockCount + ChunkRatio - 1) / ChunkRatio;

        // Dynamic and fixed: "the last BAT entry MUST locate the last payload block";
        // differencing: it "must be able to locate the last sector bitmap block".
        TotalEntries = hasParent
            ? SectorBitmapBlockCount * (ChunkRatio + 1)
            : DataBlockCount + ((DataBlockCount - 1) / ChunkRatio);
    }

    public int BlockSize { get; }

    public int ChunkRatio { get; }

    public long DataBlockCount { get; }

    public long SectorBitmapBlockCount { get; }

    public long TotalEntries { get; }

    /// <summary>Bytes of BAT region needed, rounded up to 1 MB.</summary>
    public long RegionLength => VhdxFormat.RoundUpToMib(TotalEntries * sizeof(ulong));

    public long PayloadIndex(long block) => block + (block / ChunkRatio);

    public long SectorBitmapIndex(long chunk) => (chunk * (ChunkRatio + 1)) + ChunkRatio;

    public bool IsSectorBitmapIndex(long index) => index % (ChunkRatio + 1) == ChunkRatio;
}
