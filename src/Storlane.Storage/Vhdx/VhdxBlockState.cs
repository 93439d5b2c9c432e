namespace Storlane.Storage.Vhdx;

/// <summary>Payload BAT entry states (MS-VHDX 2.5.1.1); values 4 and 5 are reserved.</summary>
public enum VhdxBlockState
{
    /// <summary>Default for new blocks of dynamic and differencing disks; a differencing disk reads the parent.</summary>
    NotPresent = 0,

    /// <summary>Contents not defined in the file; Storlane reads zeros.</summary>
    Undefined = 1,

    /// <summary>"Implementations MUST return zeros."</summary>
    Zero = 2,

    /// <summary>Every sector was unmapped; Storlane reads zeros.</summary>
    Unmapped = 3,

    FullyPresent = 6,

    /// <summary>Differencing only: the sector bitmap says which sectors are here and which in the parent.</summary>
    PartiallyPresent = 7,
}

/// <summary>
/// A 64-bit BAT entry (MS-VHDX 2.5.1): State in bits 0-2, 17 reserved bits, FileOffsetMB in bits
/// 20-63. Sector bitmap entries use 0 (SB_BLOCK_NOT_PRESENT) and 6 (SB_BLOCK_PRESENT).
/// </summary>
internal static class VhdxBatEntry
{
    public const int SectorBitmapNotPresent = 0;
    public const int SectorBitmapPresent = 6;
    private const ulong ReservedMask = 0xFFFF8;

    public static ulong Make(int state, long fileOffset) => ((ulong)(fileOffset / VhdxFormat.Mib) << 20) | (uint)state;

    public static int State(ulong entry) => (int)(entry & 7);

    public static long FileOffset(ulong entry) => (long)(entry >> 20) * VhdxFormat.Mib;

    public static bool HasReservedBits(ulong entry) => (entry & ReservedMask) != 0;

    public static bool IsValidPayloadState(int state) => state is 0 or 1 or 2 or 3 or 6 or 7;

    /// <summary>States whose data lives in the file at FileOffsetMB.</summary>
    public static bool IsAllocated(int state) => state is (int)VhdxBlockState.FullyPresent or (int)VhdxBlockState.PartiallyPresent;
}
