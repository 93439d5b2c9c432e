using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>
/// A memory device standing in for a medium several gateways share (an RBD image): it compares
/// and writes atomically itself, zeroes ranges itself, and can be resized "from outside". It
/// records what the SCSI layer handed to each capability.
/// </summary>
internal sealed class SharedMediumDevice : ICompareAndWriteDevice, IZeroingDevice, IExternallyResizedDevice
{
    private readonly Lock _medium = new();
    private MemoryBlockDevice _inner;

    public SharedMediumDevice(BlockGeometry geometry, int maxCompareAndWriteBlocks = 1)
    {
        _inner = new MemoryBlockDevice(geometry);
        MaxCompareAndWriteBlocks = maxCompareAndWriteBlocks;
    }

    public event EventHandler? GeometryChanged;

    public BlockGeometry Geometry => _inner.Geometry;

    public BlockDeviceFeatures Features => BlockDeviceFeatures.Unmap;

    public int MaxCompareAndWriteBlocks { get; }

    public int CompareAndWrites { get; private set; }

    public List<(long Lba, long Blocks)> Zeroed { get; } = [];

    public int Writes { get; private set; }

    public ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default) => _inner.ReadAsync(lba, destination, cancellationToken);

    public ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
    {
        Writes++;
        return _inner.WriteAsync(lba, source, options, cancellationToken);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default) => _inner.UnmapAsync(lba, blockCount, cancellationToken);

    public async ValueTask<long> CompareAndWriteAsync(long lba, ReadOnlyMemory<byte> compare, ReadOnlyMemory<byte> write, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
    {
        CompareAndWrites++;
        var current = new byte[compare.Length];
        await _inner.ReadAsync(lba, current, cancellationToken);
        lock (_medium)
        {
            var mismatch = current.AsSpan().CommonPrefixLength(compare.Span);
            if (mismatch < compare.Length)
            {
                return mismatch;
            }
        }

        await _inner.WriteAsync(lba, write, options, cancellationToken);
        return -1;
    }

    public ValueTask WriteZeroesAsync(long lba, long blockCount, CancellationToken cancellationToken = default)
    {
        Zeroed.Add((lba, blockCount));
        return _inner.UnmapAsync(lba, blockCount, cancellationToken);
    }

    /// <summary>Another client resized the medium: the device takes the new size and says so.</summary>
    public void ResizeFromOutside(long blocks)
    {
        _inner = new MemoryBlockDevice(new BlockGeometry(Geometry.LogicalBlockSize, Geometry.PhysicalBlockSize, blocks));
        GeometryChanged?.Invoke(this, EventArgs.Empty);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
