using System.Collections.Concurrent;
using Storlane.Storage;

namespace Storlane.Target.Tests.Support;

/// <summary>
/// A memory device whose READs of chosen LBAs stop at a gate until the test opens it, like a slow
/// disk that finishes an I/O it has started even when asked to cancel. Each gate reports when a
/// read reached it and when that read's cancellation was requested (an abort reached the task).
/// </summary>
internal sealed class GatedBlockDevice(long sizeBytes, int blockSize = 512) : IBlockDevice
{
    private readonly MemoryBlockDevice _inner = new(BlockGeometry.FromSize(sizeBytes, blockSize, blockSize));
    private readonly ConcurrentDictionary<long, ReadGate> _gates = new();

    public BlockGeometry Geometry => _inner.Geometry;

    public BlockDeviceFeatures Features => _inner.Features;

    /// <summary>The next READ that starts at <paramref name="lba"/> waits at this gate.</summary>
    public ReadGate GateAt(long lba) => _gates.GetOrAdd(lba, _ => new ReadGate());

    public async ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_gates.TryGetValue(lba, out var gate))
        {
            gate.Entered.TrySetResult();
            await using (cancellationToken.Register(() => gate.Cancelled.TrySetResult()))
            {
                await gate.Opened.Task;
            }
        }

        await _inner.ReadAsync(lba, destination, CancellationToken.None);
    }

    public ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(lba, source, options, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);

    public ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default) =>
        _inner.UnmapAsync(lba, blockCount, cancellationToken);

    public ValueTask DisposeAsync()
    {
        foreach (var gate in _gates.Values)
        {
            gate.Open();
        }

        return _inner.DisposeAsync();
    }

    internal sealed class ReadGate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => Opened.TrySetResult();
    }
}
