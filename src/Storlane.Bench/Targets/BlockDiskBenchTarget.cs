using Storlane.Initiator;
using Storlane.Initiator.Nvme;

namespace Storlane.Bench.Targets;

/// <summary>
/// One path to one LU through Storlane's own initiator: an iSCSI LUN (one session) or an NVMe/TCP
/// namespace (one controller association). Both are <see cref="BlockDisk"/>s, so the bench drives
/// them the same way and a row compares the transports, not two adapters.
/// </summary>
public sealed class BlockDiskBenchTarget : IBenchTarget
{
    private readonly BlockDisk _disk;
    private readonly int _blockShift;

    private BlockDiskBenchTarget(BlockDisk disk, string spec, string kind, string path)
    {
        _disk = disk;
        _blockShift = System.Numerics.BitOperations.Log2((uint)disk.BlockSize);
        Info = new BenchTargetInfo
        {
            Spec = spec,
            Kind = kind,
            LogicalBlockSize = disk.BlockSize,
            PhysicalBlockSize = disk.PhysicalBlockSize,
            BlockCount = disk.BlockCount,
            Paths = [path],
        };
    }

    public BenchTargetInfo Info { get; }

    public int BufferAlignment => 1;

    public static async Task<BlockDiskBenchTarget> OpenAsync(IscsiUrl url, CancellationToken cancellationToken)
    {
        var disk = await IscsiDisk.OpenAsync(url, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new BlockDiskBenchTarget(disk, url.ToString(), "iscsi", url.PathName);
    }

    public static async Task<BlockDiskBenchTarget> OpenAsync(NvmeUrl url, CancellationToken cancellationToken)
    {
        var disk = await NvmeDisk.OpenAsync(url, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new BlockDiskBenchTarget(disk, url.ToString(), "nvme-tcp", url.Portal);
    }

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        _disk.ReadAsync(offset >> _blockShift, destination, cancellationToken);

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) =>
        _disk.WriteAsync(offset >> _blockShift, source, false, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => _disk.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _disk.DisposeAsync();
}
