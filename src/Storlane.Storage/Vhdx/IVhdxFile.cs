namespace Storlane.Storage.Vhdx;

/// <summary>
/// The byte container a VHDX lives in: positional reads and writes, flush, size. The OS file
/// implements it; tests put a fault-injecting layer here to cut writes at every boundary.
/// Implementations must allow concurrent calls for different ranges.
/// </summary>
internal interface IVhdxFile : IDisposable
{
    bool CanWrite { get; }

    long Length { get; }

    /// <summary>Fills <paramref name="destination"/>; bytes past the end of the file read as zeros.</summary>
    ValueTask ReadAsync(Memory<byte> destination, long offset, CancellationToken cancellationToken = default);

    ValueTask WriteAsync(ReadOnlyMemory<byte> source, long offset, CancellationToken cancellationToken = default);

    /// <summary>Makes every completed write and size change durable.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    void SetLength(long length);

    /// <summary>Reserves <paramref name="length"/> bytes from <paramref name="offset"/> (fixed disks), reporting bytes done.</summary>
    ValueTask AllocateAsync(long offset, long length, IProgress<long>? progress, CancellationToken cancellationToken = default);
}
