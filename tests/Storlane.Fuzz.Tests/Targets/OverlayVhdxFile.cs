using Storlane.Storage.Vhdx;

namespace Storlane.Fuzz.Tests.Targets;

/// <summary>
/// A VHDX in memory as a shared base image plus the writes made since, so each fuzz iteration
/// patches a few bytes without copying megabytes. Reads past the end are zeros, as the OS file's.
/// </summary>
internal sealed class OverlayVhdxFile : IVhdxFile
{
    private readonly byte[] _image;
    private readonly List<(long Offset, byte[] Data)> _writes = [];

    public OverlayVhdxFile(byte[] image, bool canWrite)
    {
        _image = image;
        CanWrite = canWrite;
        Length = image.Length;
    }

    public bool CanWrite { get; }

    public long Length { get; private set; }

    /// <summary>Stops recording after this many writes, as a power cut would (for the dirty-log image).</summary>
    public int KeepWrites { get; init; } = int.MaxValue;

    public IReadOnlyList<(long Offset, byte[] Data)> Writes => _writes;

    /// <summary>Changes bytes without counting as a write by the code under test.</summary>
    public void Patch(long offset, byte[] data)
    {
        _writes.Add((offset, data));
        Length = Math.Max(Length, offset + data.Length);
    }

    public ValueTask ReadAsync(Memory<byte> destination, long offset, CancellationToken cancellationToken = default)
    {
        var span = destination.Span;
        span.Clear();
        Overlay(_image, 0, offset, span);
        foreach (var (at, data) in _writes)
        {
            Overlay(data, at, offset, span);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> source, long offset, CancellationToken cancellationToken = default)
    {
        if (!CanWrite)
        {
            throw new InvalidOperationException("the file was opened read-only");
        }

        if (_writes.Count < KeepWrites)
        {
            Patch(offset, source.ToArray());
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public void SetLength(long length) => Length = length;

    public ValueTask AllocateAsync(long offset, long length, IProgress<long>? progress, CancellationToken cancellationToken = default)
    {
        Length = Math.Max(Length, offset + length);
        return ValueTask.CompletedTask;
    }

    /// <summary>The image with every write applied.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        ReadAsync(bytes, 0).AsTask().GetAwaiter().GetResult();
        return bytes;
    }

    public void Dispose()
    {
    }

    private static void Overlay(byte[] data, long dataOffset, long readOffset, Span<byte> destination)
    {
        var start = Math.Max(dataOffset, readOffset);
        var end = Math.Min(dataOffset + data.Length, readOffset + destination.Length);
        if (start < end)
        {
            data.AsSpan((int)(start - dataOffset), (int)(end - start)).CopyTo(destination[(int)(start - readOffset)..]);
        }
    }
}
