using Storlane.Initiator;

namespace Storlane.Bench.Targets;

/// <summary>An iSCSI LUN through Storlane's initiator (one session, one path).</summary>
public sealed class IscsiBenchTarget : IBenchTarget
{
    private readonly IscsiDisk _disk;
    private readonly int _blockShift;

    private IscsiBenchTarget(IscsiDisk disk, IscsiUrl url)
    {
        _disk = disk;
        _blockShift = System.Numerics.BitOperations.Log2((uint)disk.BlockSize);
        Info = new BenchTargetInfo
        {
            Spec = url.ToString(),
            Kind = "iscsi",
            LogicalBlockSize = disk.BlockSize,
            PhysicalBlockSize = disk.PhysicalBlockSize,
            BlockCount = disk.BlockCount,
            Paths = [url.PathName],
        };
    }

    public BenchTargetInfo Info { get; }

    public int BufferAlignment => 1;

    public static async Task<IscsiBenchTarget> OpenAsync(IscsiUrl url, CancellationToken cancellationToken)
    {
        var disk = await IscsiDisk.OpenAsync(url, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new IscsiBenchTarget(disk, url);
    }

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        _disk.ReadAsync(offset >> _blockShift, destination, cancellationToken);

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) =>
        _disk.WriteAsync(offset >> _blockShift, source, false, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => _disk.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _disk.DisposeAsync();
}
