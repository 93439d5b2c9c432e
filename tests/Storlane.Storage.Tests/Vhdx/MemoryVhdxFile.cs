using Storlane.Storage.Vhdx;

namespace Storlane.Storage.Tests.Vhdx;

/// <summary>
/// A file in memory that models a disk cache: writes land in a pending list and become durable only
/// at a flush. <see cref="Crash"/> returns what a power cut could leave behind: the durable image
/// plus, for each pending write, all of it, none of it, or a torn 512-byte-aligned prefix.
/// </summary>
internal sealed class MemoryVhdxFile : IVhdxFile
{
    private readonly Lock _lock = new();
    private readonly List<(long Offset, byte[] Data)> _pending = [];
    private byte[] _durable;
    private long _length;

    public MemoryVhdxFile(byte[]? image = null)
    {
        _durable = image ?? [];
        _length = _durable.Length;
    }

    public bool CanWrite { get; init; } = true;

    public long Length
    {
        get
        {
            lock (_lock)
            {
                return _length;
            }
        }
    }

    /// <summary>Writes so far; the crash harness counts boundaries with it.</summary>
    public int WriteCount { get; private set; }

    public int FlushCount { get; private set; }

    /// <summary>Cut the file at this write (1-based): it is torn and every later operation fails.</summary>
    public int CrashAtWrite { get; set; }

    public bool Crashed { get; private set; }

    public ValueTask ReadAsync(Memory<byte> destination, long offset, CancellationToken cancellationToken = default)
    {
        ThrowIfCrashed();
        lock (_lock)
        {
            var span = destination.Span;
            span.Clear();
            CopyOut(_durable, offset, span);
            foreach (var (writeOffset, data) in _pending)
            {
                Overlay(data, writeOffset, offset, span);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> source, long offset, CancellationToken cancellationToken = default)
    {
        ThrowIfCrashed();
        lock (_lock)
        {
            WriteCount++;
            if (CrashAtWrite > 0 && WriteCount >= CrashAtWrite)
            {
                Crashed = true;

                // The cut write itself may have reached the media in part.
                _pending.Add((offset, source.ToArray()));
                throw new SimulatedCrashException();
            }

            _pending.Add((offset, source.ToArray()));
            _length = Math.Max(_length, offset + source.Length);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCrashed();
        lock (_lock)
        {
            FlushCount++;
            EnsureDurableLength(_length);
            foreach (var (offset, data) in _pending)
            {
                data.CopyTo(_durable, offset);
            }

            _pending.Clear();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Size changes are treated as durable at once (extension only adds zeros).</summary>
    public void SetLength(long length)
    {
        ThrowIfCrashed();
        lock (_lock)
        {
            _length = length;
            EnsureDurableLength(length);
            if (_durable.Length > length)
            {
                Array.Resize(ref _durable, (int)length);
            }
        }
    }

    public ValueTask AllocateAsync(long offset, long length, IProgress<long>? progress, CancellationToken cancellationToken = default)
    {
        if (Length < offset + length)
        {
            SetLength(offset + length);
        }

        progress?.Report(length);
        return ValueTask.CompletedTask;
    }

    /// <summary>What survives a power cut now, chosen by <paramref name="random"/>.</summary>
    public byte[] Crash(Random random)
    {
        lock (_lock)
        {
            var image = new byte[_length];
            _durable.AsSpan(0, (int)Math.Min(_durable.Length, _length)).CopyTo(image);
            foreach (var (offset, data) in _pending)
            {
                // The cut write may lie past the end (an extending write): then the file did not grow.
                if (offset >= image.Length)
                {
                    continue;
                }

                var kept = random.Next(3) switch
                {
                    0 => 0,
                    1 => data.Length,
                    _ => random.Next(0, (data.Length / 512) + 1) * 512,
                };
                data.AsSpan(0, Math.Min(kept, (int)Math.Max(0, image.Length - offset))).CopyTo(image.AsSpan((int)offset));
            }

            return image;
        }
    }

    public byte[] DurableImage()
    {
        lock (_lock)
        {
            var image = new byte[_length];
            _durable.AsSpan(0, (int)Math.Min(_durable.Length, _length)).CopyTo(image);
            foreach (var (offset, data) in _pending)
            {
                data.CopyTo(image, offset);
            }

            return image;
        }
    }

    public void Dispose()
    {
    }

    private void EnsureDurableLength(long length)
    {
        if (_durable.Length < length)
        {
            Array.Resize(ref _durable, (int)length);
        }
    }

    private static void CopyOut(byte[] source, long offset, Span<byte> destination)
    {
        if (offset < source.Length)
        {
            var count = (int)Math.Min(destination.Length, source.Length - offset);
            source.AsSpan((int)offset, count).CopyTo(destination);
        }
    }

    private static void Overlay(byte[] data, long dataOffset, long readOffset, Span<byte> destination)
    {
        var from = Math.Max(dataOffset, readOffset);
        var to = Math.Min(dataOffset + data.Length, readOffset + destination.Length);
        if (from < to)
        {
            data.AsSpan((int)(from - dataOffset), (int)(to - from)).CopyTo(destination[(int)(from - readOffset)..]);
        }
    }

    private void ThrowIfCrashed()
    {
        if (Crashed)
        {
            throw new SimulatedCrashException();
        }
    }
}

internal sealed class SimulatedCrashException : IOException
{
    public SimulatedCrashException()
        : base("simulated power cut")
    {
    }
}
