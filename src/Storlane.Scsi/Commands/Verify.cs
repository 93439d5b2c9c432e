using System.Buffers;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>Compare in pieces of at most this many bytes (one pooled buffer per command).</summary>
    private const int VerifyChunkBytes = 1 << 20;

    public static ValueTask<ScsiResult> Verify10(CommandContext context)
    {
        var cdb = context.Cdb;
        return Verify(context, CdbReader.UInt32(cdb, 2), CdbReader.UInt16(cdb, 7), lengthOffset: 7);
    }

    public static ValueTask<ScsiResult> Verify12(CommandContext context)
    {
        var cdb = context.Cdb;
        return Verify(context, CdbReader.UInt32(cdb, 2), CdbReader.UInt32(cdb, 6), lengthOffset: 6);
    }

    public static ValueTask<ScsiResult> Verify16(CommandContext context)
    {
        var cdb = context.Cdb;
        return Verify(context, CdbReader.UInt64(cdb, 2), CdbReader.UInt32(cdb, 10), lengthOffset: 10);
    }

    /// <summary>
    /// SBC-3 5.29-5.31 VERIFY. BYTCHK (byte 1 bits 2..1): 00b verifies the medium only, which for us
    /// is the range check; 01b compares the data-out buffer (VERIFICATION LENGTH blocks) with the
    /// medium; 11b compares one data-out block with every block of the range; 10b is reserved and
    /// refused. A mismatch ends the command with MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION and
    /// "the INFORMATION field ... set to the offset from the start of the Data-Out Buffer to the first
    /// byte of data that was not equal". Only whole blocks that arrived are compared (as for WRITE).
    /// </summary>
    private static ValueTask<ScsiResult> Verify(CommandContext context, ulong lba, uint blocks, int lengthOffset)
    {
        var unit = context.Unit;
        var byteCheck = (context.Cdb[1] >> 1) & 0x3;
        if (byteCheck == 0x2)
        {
            ScsiErrors.InvalidFieldInCdb(1, 2);
        }

        if (byteCheck != 0)
        {
            CheckTransferLength(unit, blocks, lengthOffset);
        }

        unit.CheckRange(lba, blocks);
        if (byteCheck == 0 || blocks == 0)
        {
            return new(ScsiResult.Good());
        }

        var expectedOut = byteCheck == 0x1 ? (int)blocks * unit.BlockSize : unit.BlockSize;
        return CompareAsync(context, (long)lba, blocks, sameBlock: byteCheck == 0x3, expectedOut);
    }

    private static async ValueTask<ScsiResult> CompareAsync(CommandContext context, long lba, uint blocks, bool sameBlock, int expectedOut)
    {
        var unit = context.Unit;
        var blockSize = unit.BlockSize;
        var data = context.Command.DataOut;
        var available = Math.Min(expectedOut, data.Length) / blockSize;
        var toCompare = sameBlock ? (available > 0 ? blocks : 0) : (uint)available;
        var chunkBlocks = Math.Max(1, VerifyChunkBytes / blockSize);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(toCompare, (uint)chunkBlocks) * blockSize);
        try
        {
            for (uint done = 0; done < toCompare;)
            {
                var count = (int)Math.Min(toCompare - done, (uint)chunkBlocks);
                var media = buffer.AsMemory(0, count * blockSize);
                await unit.Device.ReadAsync(lba + done, media, context.CancellationToken).ConfigureAwait(false);
                var mismatch = sameBlock
                    ? FirstDifferenceAgainstBlock(media.Span, data.Span[..blockSize])
                    : FirstDifference(media.Span, data.Span.Slice((int)done * blockSize, count * blockSize));
                if (mismatch >= 0)
                {
                    var offset = sameBlock ? mismatch % blockSize : ((long)done * blockSize) + mismatch;
                    ScsiErrors.Miscompare(offset);
                }

                done += (uint)count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ScsiResult.Good(dataOutLength: expectedOut);
    }

    private static int FirstDifference(ReadOnlySpan<byte> media, ReadOnlySpan<byte> expected)
    {
        var common = media.CommonPrefixLength(expected);
        return common == media.Length ? -1 : common;
    }

    private static int FirstDifferenceAgainstBlock(ReadOnlySpan<byte> media, ReadOnlySpan<byte> block)
    {
        for (var offset = 0; offset < media.Length; offset += block.Length)
        {
            var common = media.Slice(offset, block.Length).CommonPrefixLength(block);
            if (common != block.Length)
            {
                return offset + common;
            }
        }

        return -1;
    }
}
