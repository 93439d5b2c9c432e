namespace Storlane.Bench.Targets;

/// <summary>
/// What the workload engine drives: a block-addressed device read and written at byte offsets that
/// are multiples of <see cref="BenchTargetInfo.LogicalBlockSize"/>, with buffers of whole blocks.
/// Implementations must allow many concurrent I/Os (the engine holds the queue depth itself).
/// </summary>
public interface IBenchTarget : IAsyncDisposable
{
    BenchTargetInfo Info { get; }

    /// <summary>Alignment that I/O buffers need (the logical block size for O_DIRECT files, 1 otherwise).</summary>
    int BufferAlignment { get; }

    ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken);

    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken);

    ValueTask FlushAsync(CancellationToken cancellationToken);
}
