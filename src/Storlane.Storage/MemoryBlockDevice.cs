namespace Storlane.Storage;

/// <summary>
/// A RAM-backed device, sparse in 1 MiB chunks so a large LUN costs only what is written.
/// Unwritten and unmapped chunks read as zeros. Thread-safe for concurrent I/O to any ranges
/// (overlapping concurrent writes race, as on a real disk). The chunk map answers
/// <see cref="IAllocationQuery"/>: a chunk never written, or unmapped whole, is deallocated; a chunk
/// holding any written block is mapped (a partial unmap zeros blocks inside it but keeps the chunk).
/// </summary>
public sealed class MemoryBlockDevice : IBlockDevice, IAllocationQuery
{
    private const int ChunkShift = 20;
    private const int ChunkSize = 1 << ChunkShift;
    private readonly byte[]?[] _chunks;

    public MemoryBlockDevice(BlockGeometry geometry, BlockDeviceFeatures features = BlockDeviceFeatures.Unmap)
    {
        Geometry = geometry;
        Features = features & ~BlockDeviceFeatures.VolatileWriteCache;
        _chunks = new byte[]?[(geometry.SizeInBytes + ChunkSize - 1) >> ChunkShift];
    }

    public BlockGeometry Geometry { get; }

    public BlockDeviceFeatures Features { get; }

    /// <summary>Bytes of RAM held by written chunks.</summary>
    public long AllocatedBytes
    {
        get
        {
            long total = 0;
            foreach (var chunk in _chunks)
            {
                total += chunk?.Length ?? 0;
            }

            return total;
        }
    }

    public ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckRange(Geometry, lba, destination.Length);
        var offset = lba * Geometry.LogicalBlockSize;
        var span = destination.Span;
        while (!span.IsEmpty)
        {
            var (index, within, length) = Locate(offset, span.Length);
            var chunk = Volatile.Read(ref _chunks[index]);
            if (chunk is null)
            {
                span[..length].Clear();
            }
            else
            {
                chunk.AsSpan(within, length).CopyTo(span);
            }

            span = span[length..];
            offset += length;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckRange(Geometry, lba, source.Length);
        if ((Features & BlockDeviceFeatures.ReadOnly) != 0)
        {
            throw new InvalidOperationException("device is read-only");
        }

        var offset = lba * Geometry.LogicalBlockSize;
        var span = source.Span;
        while (!span.IsEmpty)
        {
            var (index, within, length) = Locate(offset, span.Length);
            span[..length].CopyTo(GetOrAddChunk(index).AsSpan(within, length));
            span = span[length..];
            offset += length;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckBlocks(Geometry, lba, blockCount);
        var offset = lba * Geometry.LogicalBlockSize;
        var remaining = blockCount * Geometry.LogicalBlockSize;
        while (remaining > 0)
        {
            var (index, within, length) = Locate(offset, (int)Math.Min(remaining, ChunkSize));
            if (within == 0 && length == ChunkSize)
            {
                Volatile.Write(ref _chunks[index], null);
            }
            else
            {
                Volatile.Read(ref _chunks[index])?.AsSpan(within, length).Clear();
            }

            offset += length;
            remaining -= length;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The run of chunks in the same state as the chunk holding <paramref name="lba"/>, cut to <paramref name="maxBlocks"/>.</summary>
    public ValueTask<AllocationRun> QueryAllocationAsync(long lba, long maxBlocks, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckBlocks(Geometry, lba, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlocks, 1);
        var blockSize = (long)Geometry.LogicalBlockSize;
        var index = (int)((lba * blockSize) >> ChunkShift);
        var mapped = Volatile.Read(ref _chunks[index]) is not null;
        var next = index + 1;
        while (next < _chunks.Length && (Volatile.Read(ref _chunks[next]) is not null) == mapped)
        {
            next++;
        }

        var end = Math.Min(((long)next << ChunkShift) / blockSize, Geometry.BlockCount);
        return new ValueTask<AllocationRun>(new AllocationRun(lba, Math.Min(end - lba, maxBlocks), mapped));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static (int Index, int Within, int Length) Locate(long offset, int wanted)
    {
        var index = (int)(offset >> ChunkShift);
        var within = (int)(offset & (ChunkSize - 1));
        return (index, within, Math.Min(wanted, ChunkSize - within));
    }

    private byte[] GetOrAddChunk(int index)
    {
        var chunk = Volatile.Read(ref _chunks[index]);
        if (chunk is not null)
        {
            return chunk;
        }

        var last = _chunks.Length - 1;
        var size = index == last ? (int)(Geometry.SizeInBytes - ((long)last << ChunkShift)) : ChunkSize;
        var created = new byte[size];
        return Interlocked.CompareExchange(ref _chunks[index], created, null) ?? created;
    }
}
