namespace Storlane.Storage.Vhdx;

/// <summary>Fixed offsets and sizes of MS-VHDX 1.0 (section 2.2: the 1 MB header section of five 64 KB items).</summary>
internal static class VhdxFormat
{
    public const int Kib = 1024;
    public const int Mib = 1024 * 1024;

    public const long FileIdentifierOffset = 0;
    public const long Header1Offset = 64 * Kib;
    public const long Header2Offset = 128 * Kib;
    public const long RegionTable1Offset = 192 * Kib;
    public const long RegionTable2Offset = 256 * Kib;

    /// <summary>"The header section is 1 MB in size."</summary>
    public const int HeaderSectionSize = Mib;

    /// <summary>"Each of the two headers is a 4-KB structure that is aligned to a 64-KB boundary."</summary>
    public const int HeaderSize = 4 * Kib;

    public const int RegionTableSize = 64 * Kib;
    public const int MetadataTableSize = 64 * Kib;

    /// <summary>"A log entry is a sequence of 4-KB sectors."</summary>
    public const int LogSectorSize = 4 * Kib;

    /// <summary>"Sector bitmap blocks are always 1 MB in size."</summary>
    public const int SectorBitmapBlockSize = Mib;

    /// <summary>"The number of sectors that can be described in each sector bitmap block is 2^23."</summary>
    public const long SectorsPerChunk = 1L << 23;

    /// <summary>"VirtualDiskSize ... MUST be at most 64 TB."</summary>
    public const long MaxVirtualDiskSize = 64L << 40;

    public const int MinBlockSize = Mib;
    public const int MaxBlockSize = 256 * Mib;

    public const int DefaultLogLength = Mib;

    /// <summary>Structures are placed on 1 MB boundaries ("all objects have 1-MB alignment within the file").</summary>
    public static long RoundUpToMib(long value) => (value + Mib - 1) & ~((long)Mib - 1);

    public static long RoundDownToMib(long value) => value & ~((long)Mib - 1);

    public static ReadOnlySpan<byte> FileSignature => "vhdxfile"u8;

    public static ReadOnlySpan<byte> HeaderSignature => "head"u8;

    public static ReadOnlySpan<byte> RegionTableSignature => "regi"u8;

    public static ReadOnlySpan<byte> MetadataSignature => "metadata"u8;

    public static ReadOnlySpan<byte> LogEntrySignature => "loge"u8;

    public static ReadOnlySpan<byte> ZeroDescriptorSignature => "zero"u8;

    public static ReadOnlySpan<byte> DataDescriptorSignature => "desc"u8;

    public static ReadOnlySpan<byte> DataSectorSignature => "data"u8;
}
