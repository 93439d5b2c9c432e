namespace Storlane.Storage.Vhdx;

public enum VhdxDiskType
{
    Fixed,
    Dynamic,
    Differencing,
}

/// <summary>What <c>storlane disk info</c> prints about an open VHDX.</summary>
public sealed record VhdxDiskInfo(
    VhdxDiskType Type,
    long VirtualSize,
    int BlockSize,
    int LogicalSectorSize,
    int PhysicalSectorSize,
    Guid VirtualDiskId,
    Guid DataWriteGuid,
    long FileSize,
    long BlockCount,
    long AllocatedBlocks,
    int ChunkRatio,
    string? ParentPath,
    int ReplayedLogEntries);
