namespace Storlane.Lab.Experiments;

/// <summary>A RAM LUN of the lab target: RAM so the disk is never the bottleneck; the sector geometry is what experiments vary.</summary>
public sealed record LabLun(int Lun, int LogicalBlockSize, int PhysicalBlockSize, long SizeBytes = LabLun.DefaultSize)
{
    /// <summary>1 GiB: sparse in RAM, and larger than a short sequential run covers before it wraps.</summary>
    public const long DefaultSize = 1L << 30;

    /// <summary>"512n", "4Kn" or "512e", as drive vendors name them.</summary>
    public string Format => (LogicalBlockSize, PhysicalBlockSize) switch
    {
        (512, 512) => "512n",
        (4096, 4096) => "4Kn",
        (512, 4096) => "512e",
        _ => $"{LogicalBlockSize}/{PhysicalBlockSize}",
    };
}
