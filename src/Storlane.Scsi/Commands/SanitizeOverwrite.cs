using System.Buffers;
using System.Diagnostics;
using Storlane.Storage;

namespace Storlane.Scsi;

/// <summary>
/// A SANITIZE OVERWRITE as its parameter list asks for it (SBC-3 5.19.2): OVERWRITE COUNT passes
/// over every logical block, each block filled with the INITIALIZATION PATTERN repeated, the pattern
/// inverted on every second pass when INVERT = 1 ("the initialization pattern shall be inverted
/// between consecutive overwrite passes"), each pass flushed to the medium before the next starts.
/// </summary>
internal sealed class OverwritePlan
{
    /// <summary>INVERT/TEST/OVERWRITE COUNT, reserved, INITIALIZATION PATTERN LENGTH (2 bytes).</summary>
    public const int HeaderLength = 4;

    /// <summary>Bytes written per device call.</summary>
    private const int ChunkBytes = 1 << 20;

    private readonly byte[] _block;

    private OverwritePlan(byte[] block, int passes, bool invert)
    {
        _block = block;
        Passes = passes;
        Invert = invert;
    }

    public int Passes { get; }

    public bool Invert { get; }

    /// <summary>
    /// Reads INVERT (byte 0 bit 7), TEST (bits 6..5: only 00b), OVERWRITE COUNT (bits 4..0, not 0)
    /// and INITIALIZATION PATTERN LENGTH (bytes 2..3: 1..block length, within the list); a bad field
    /// is INVALID FIELD IN PARAMETER LIST at that field.
    /// </summary>
    public static OverwritePlan Parse(ReadOnlySpan<byte> list, int blockSize)
    {
        var invert = (list[0] & 0x80) != 0;
        if ((list[0] & 0x60) != 0)
        {
            ScsiErrors.InvalidFieldInParameterList(0, 6);
        }

        var passes = list[0] & 0x1F;
        if (passes == 0)
        {
            ScsiErrors.InvalidFieldInParameterList(0, 4);
        }

        var patternLength = CdbReader.UInt16(list, 2);
        if (patternLength == 0 || patternLength > blockSize || HeaderLength + patternLength > list.Length)
        {
            ScsiErrors.InvalidFieldInParameterList(2);
        }

        var pattern = list.Slice(HeaderLength, patternLength);
        var block = new byte[blockSize];
        for (var offset = 0; offset < blockSize; offset += patternLength)
        {
            pattern[..Math.Min(patternLength, blockSize - offset)].CopyTo(block.AsSpan(offset));
        }

        return new OverwritePlan(block, passes, invert);
    }

    /// <summary>The block pass <paramref name="pass"/> (0-based) writes: inverted on odd passes when INVERT = 1.</summary>
    public void FillBlock(int pass, Span<byte> destination)
    {
        _block.CopyTo(destination);
        if (Invert && pass % 2 == 1)
        {
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = (byte)~destination[i];
            }
        }
    }

    /// <summary>
    /// Writes every pass, reporting progress to the unit and holding the write rate at or below
    /// <see cref="LogicalUnitOptions.SanitizeBytesPerSecond"/> (0: unlimited). Not cancellable.
    /// </summary>
    public async Task RunAsync(LogicalUnit unit)
    {
        var blockSize = unit.BlockSize;
        var blockCount = unit.BlockCount;
        var blocksPerChunk = (int)Math.Min(Math.Max(1, ChunkBytes / blockSize), blockCount);
        var totalBytes = (double)Passes * blockCount * blockSize;
        var bytesPerSecond = unit.Options.SanitizeBytesPerSecond;
        var started = Stopwatch.GetTimestamp();
        long written = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(blocksPerChunk * blockSize);
        try
        {
            for (var pass = 0; pass < Passes; pass++)
            {
                for (var i = 0; i < blocksPerChunk; i++)
                {
                    FillBlock(pass, buffer.AsSpan(i * blockSize, blockSize));
                }

                for (long lba = 0; lba < blockCount; lba += blocksPerChunk)
                {
                    var blocks = (int)Math.Min(blocksPerChunk, blockCount - lba);
                    await unit.Device.WriteAsync(lba, buffer.AsMemory(0, blocks * blockSize), WriteOptions.None, CancellationToken.None).ConfigureAwait(false);
                    written += (long)blocks * blockSize;
                    unit.ReportSanitizeProgress(written / totalBytes);
                    if (bytesPerSecond > 0)
                    {
                        var ahead = TimeSpan.FromSeconds((double)written / bytesPerSecond) - Stopwatch.GetElapsedTime(started);
                        if (ahead > TimeSpan.Zero)
                        {
                            await Task.Delay(ahead).ConfigureAwait(false);
                        }
                    }
                }

                // A pass is on the medium before the next one may overwrite it in a cache.
                await unit.Device.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
