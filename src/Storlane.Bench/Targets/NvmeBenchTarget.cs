using Storlane.Initiator.Nvme;

namespace Storlane.Bench.Targets;

/// <summary>An NVMe/TCP namespace through Storlane's NVMe/TCP host (one controller association, one path).</summary>
public sealed class NvmeBenchTarget : IBenchTarget
{
    private readonly NvmeDisk _disk;
    private readonly int _blockShift;

    private NvmeBenchTarget(NvmeDisk disk, NvmeUrl url)
    {
        _disk = disk;
        _blockShift = System.Numerics.BitOperations.Log2((uint)disk.BlockSize);
        Info = new BenchTargetInfo
        {
            Spec = url.ToString(),
            Kind = "nvme-tcp",
            LogicalBlockSize = disk.BlockSize,
            PhysicalBlockSize = disk.PhysicalBlockSize,
            BlockCount = disk.BlockCount,
            Paths = [url.Portal],
        };
    }

    public BenchTargetInfo Info { get; }

    public int BufferAlignment => 1;

    public static async Task<NvmeBenchTarget> OpenAsync(NvmeUrl url, CancellationToken cancellationToken)
    {
        var disk = await NvmeDisk.OpenAsync(url, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new NvmeBenchTarget(disk, url);
    }

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        _disk.ReadAsync(offset >> _blockShift, destination, cancellationToken);

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) =>
        _disk.WriteAsync(offset >> _blockShift, source, false, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => _disk.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _disk.DisposeAsync();
}
