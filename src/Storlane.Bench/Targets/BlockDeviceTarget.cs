using Storlane.Storage;

namespace Storlane.Bench.Targets;

/// <summary>Any <see cref="IBlockDevice"/> (the in-memory device in particular) as a bench target.</summary>
public sealed class BlockDeviceTarget : IBenchTarget
{
    private readonly IBlockDevice _device;
    private readonly int _blockShift;

    /// <param name="createdByBench">True when the device was made for this run and holds no one's data (<see cref="BenchTargetInfo.CreatedByBench"/>).</param>
    public BlockDeviceTarget(IBlockDevice device, string spec, string kind = "memory", bool createdByBench = false)
    {
        _device = device;
        _blockShift = System.Numerics.BitOperations.Log2((uint)device.Geometry.LogicalBlockSize);
        Info = new BenchTargetInfo
        {
            Spec = spec,
            Kind = kind,
            LogicalBlockSize = device.Geometry.LogicalBlockSize,
            PhysicalBlockSize = device.Geometry.PhysicalBlockSize,
            BlockCount = device.Geometry.BlockCount,
            CreatedByBench = createdByBench,
        };
    }

    public BenchTargetInfo Info { get; }

    public int BufferAlignment => 1;

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        _device.ReadAsync(offset >> _blockShift, destination, cancellationToken);

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) =>
        _device.WriteAsync(offset >> _blockShift, source, WriteOptions.None, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => _device.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _device.DisposeAsync();
}
