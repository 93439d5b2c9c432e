using System.Buffers;
using Storlane.Storage;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>Replicate the block into a buffer of at most this size and write it repeatedly.</summary>
    private const int WriteSameChunkBytes = 1 << 20;

    private const byte UnmapBit = 0x08;
    private const byte NoDataOutBufferBit = 0x01;

    /// <summary>SBC-3 5.41 WRITE SAME(10): UNMAP in byte 1 bit 3, LBA in bytes 2..5, NUMBER OF LOGICAL BLOCKS in 7..8.</summary>
    public static ValueTask<ScsiResult> WriteSame10(CommandContext context)
    {
        var cdb = context.Cdb;
        return WriteSame(context, CdbReader.UInt32(cdb, 2), CdbReader.UInt16(cdb, 7), (cdb[1] & UnmapBit) != 0, noDataOut: false, lengthOffset: 7);
    }

    /// <summary>SBC-3 5.43 WRITE SAME(16): adds NDOB (byte 1 bit 0), 8-byte LBA and 4-byte count.</summary>
    public static ValueTask<ScsiResult> WriteSame16(CommandContext context)
    {
        var cdb = context.Cdb;
        return WriteSame(context, CdbReader.UInt64(cdb, 2), CdbReader.UInt32(cdb, 10), (cdb[1] & UnmapBit) != 0, (cdb[1] & NoDataOutBufferBit) != 0, lengthOffset: 10);
    }

    /// <summary>
    /// WRITE SAME. ANCHOR is outside the usage mask (ANC_SUP = 0) and WRPROTECT too (no protection
    /// information), so both are refused with INVALID FIELD IN CDB before we get here. Rules:
    /// <list type="bullet">
    /// <item>NUMBER OF LOGICAL BLOCKS 0 with WSNZ = 0: "the device server shall write ... each logical
    /// block from the specified LBA to the last LBA" (SBC-3 5.41) — within MAXIMUM WRITE SAME LENGTH.</item>
    /// <item>"If the number of logical blocks specified ... exceeds the value in the MAXIMUM WRITE SAME
    /// LENGTH field ..., INVALID FIELD IN CDB" (SBC-3 6.5.3).</item>
    /// <item>UNMAP = 1 on a unit that cannot unmap (LBPWS = 0) is refused with INVALID FIELD IN CDB,
    /// so an initiator never believes blocks were deallocated when they were written.</item>
    /// <item>UNMAP = 1 deallocates whatever the data block holds: SBC-4 table "ANCHOR bit, UNMAP bit
    /// and ANC_SUP bit relationships", UNMAP = 1 and ANCHOR = 0: "The device server in a thin
    /// provisioned logical unit should deallocate each LBA specified by the command"; with LBPRZ = 1
    /// the blocks then read back as zeros (libiscsi WriteSame10.UnmapUntilEnd sends a 0xFF block with
    /// UNMAP = 1 and expects zeros). NDOB = 1 means a block of zeros.</item>
    /// <item>The data-out buffer must be exactly one logical block (WRITE SAME transfers one block);
    /// anything else is INVALID FIELD IN CDB, as libiscsi test_writesame10_invalid_dataout_size expects.</item>
    /// </list>
    /// </summary>
    private static ValueTask<ScsiResult> WriteSame(CommandContext context, ulong lba, ulong blocks, bool unmap, bool noDataOut, int lengthOffset)
    {
        var unit = context.Unit;
        if (unmap && !unit.SupportsUnmap)
        {
            ScsiErrors.InvalidFieldInCdb(1, 3);
        }

        if (blocks == 0)
        {
            if (lba >= (ulong)unit.BlockCount)
            {
                ScsiErrors.LbaOutOfRange();
            }

            blocks = (ulong)unit.BlockCount - lba;
        }
        else
        {
            unit.CheckRange(lba, blocks);
        }

        if (blocks > unit.MaxWriteSameBlocks)
        {
            ScsiErrors.InvalidFieldInCdb(lengthOffset);
        }

        unit.CheckWritable();
        var blockSize = unit.BlockSize;
        var data = context.Command.DataOut;
        if (!noDataOut && data.Length != blockSize)
        {
            ScsiErrors.InvalidFieldInCdb(lengthOffset);
        }

        var result = ScsiResult.Good(dataOutLength: noDataOut ? 0 : blockSize);
        if (unmap)
        {
            return UnderWriteGateAsync((context, lba, blocks, result), static s => Completed(s.context.Unit.Device.UnmapAsync((long)s.lba, (long)s.blocks, s.context.CancellationToken), s.result), unit, context.CancellationToken);
        }

        if (unit.Device is IZeroingDevice zeroing && (noDataOut || !data.Span.ContainsAnyExcept((byte)0)))
        {
            // A block of zeros: the device zeroes the range itself instead of receiving the zeros.
            return UnderWriteGateAsync((context, zeroing, lba, blocks, result), static s => Completed(s.zeroing.WriteZeroesAsync((long)s.lba, (long)s.blocks, s.context.CancellationToken), s.result), unit, context.CancellationToken);
        }

        return UnderWriteGateAsync((context, lba, blocks, data: noDataOut ? ReadOnlyMemory<byte>.Empty : data, result), static s => ReplicateAsync(s.context, (long)s.lba, (long)s.blocks, s.data, s.result), unit, context.CancellationToken);
    }

    private static async ValueTask<ScsiResult> ReplicateAsync(CommandContext context, long lba, long blocks, ReadOnlyMemory<byte> block, ScsiResult result)
    {
        var unit = context.Unit;
        var blockSize = unit.BlockSize;
        var chunkBlocks = (int)Math.Min(blocks, Math.Max(1, WriteSameChunkBytes / blockSize));
        var length = chunkBlocks * blockSize;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var pattern = buffer.AsMemory(0, length);
            if (block.IsEmpty)
            {
                pattern.Span.Clear();
            }
            else
            {
                for (var offset = 0; offset < length; offset += blockSize)
                {
                    block.Span.CopyTo(pattern.Span[offset..]);
                }
            }

            while (blocks > 0)
            {
                var count = (int)Math.Min(blocks, chunkBlocks);
                await unit.Device.WriteAsync(lba, pattern[..(count * blockSize)], cancellationToken: context.CancellationToken).ConfigureAwait(false);
                lba += count;
                blocks -= count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return result;
    }
}
