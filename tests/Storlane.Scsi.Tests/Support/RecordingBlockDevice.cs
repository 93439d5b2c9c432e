using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>
/// A memory device that records what the SCSI layer asked of it (write options, flushes, unmaps) and
/// can be told to fail or to pretend to have other features.
/// </summary>
internal sealed class RecordingBlockDevice : IBlockDevice
{
    private readonly MemoryBlockDevice _inner;

    public RecordingBlockDevice(BlockGeometry geometry, BlockDeviceFeatures features = BlockDeviceFeatures.Unmap)
    {
        _inner = new MemoryBlockDevice(geometry, features & ~BlockDeviceFeatures.ReadOnly);
        Features = features;
    }

    public BlockGeometry Geometry => _inner.Geometry;

    public BlockDeviceFeatures Features { get; }

    public List<(long Lba, int Length, WriteOptions Options)> Writes { get; } = [];

    public List<(long Lba, long Blocks)> Unmaps { get; } = [];

    public int Flushes { get; private set; }

    /// <summary>When set, every operation throws it.</summary>
    public Exception? Failure { get; set; }

    /// <summary>When set, reads wait for it (to test cancellation and asynchronous completion).</summary>
    public TaskCompletionSource? ReadGate { get; set; }

    public async ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (ReadGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        ThrowIfFailing();
        await _inner.ReadAsync(lba, destination, cancellationToken);
    }

    public ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        Writes.Add((lba, source.Length, options));
        return _inner.WriteAsync(lba, source, options, cancellationToken);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        Flushes++;
        return ValueTask.CompletedTask;
    }

    public ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        Unmaps.Add((lba, blockCount));
        return _inner.UnmapAsync(lba, blockCount, cancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void ThrowIfFailing()
    {
        if (Failure is { } failure)
        {
            throw failure;
        }
    }
}
