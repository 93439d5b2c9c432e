namespace Storlane.Storage.Vhdx;

/// <summary>What <see cref="VhdxDiskCreator"/> makes. A differencing disk takes its size and sector sizes from the parent.</summary>
public sealed record VhdxCreateOptions
{
    public const int DefaultBlockSize = 32 * VhdxFormat.Mib;

    /// <summary>Hyper-V's default for differencing disks: small blocks copy less of the parent on first write.</summary>
    public const int DefaultDifferencingBlockSize = 2 * VhdxFormat.Mib;

    public VhdxDiskType Type { get; init; } = VhdxDiskType.Dynamic;

    /// <summary>Virtual disk size in bytes; ignored for differencing disks.</summary>
    public long VirtualSize { get; init; }

    /// <summary>Payload block size, a power of two from 1 MiB to 256 MiB; null picks the default for the type.</summary>
    public int? BlockSize { get; init; }

    public int LogicalSectorSize { get; init; } = 512;

    /// <summary>Null means the same as the logical sector size.</summary>
    public int? PhysicalSectorSize { get; init; }

    /// <summary>The parent VHDX of a differencing disk.</summary>
    public string? ParentPath { get; init; }

    public bool Overwrite { get; init; }
}
