using System.Buffers;
using System.Runtime.InteropServices;
using Storlane.Storage;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SBC-3 5.13 ORWRITE(16) (8Bh) with BMOP 000b (the only operation of the 16-byte CDB): "the device
    /// server shall ... perform a bitwise OR operation on the logical block data in the Data-Out Buffer
    /// with the logical block data of the specified LBAs, and write the result". ORPROTECT is outside
    /// the usage mask (no protection information), so a non-zero value is INVALID FIELD IN CDB; range and
    /// transfer length are checked as for WRITE(16); zero blocks is not an error. The read-OR-write runs
    /// holding <see cref="LogicalUnit.WriteGate"/> exclusively, like COMPARE AND WRITE: a concurrent
    /// WRITE to the same blocks would otherwise be lost between our read and our write.
    /// </summary>
    public static ValueTask<ScsiResult> OrWrite16(CommandContext context)
    {
        var cdb = context.Cdb;
        var unit = context.Unit;
        var lba = CdbReader.UInt64(cdb, 2);
        var blocks = CdbReader.UInt32(cdb, 10);
        CheckTransferLength(unit, blocks, lengthOffset: 10);
        unit.CheckRange(lba, blocks);
        unit.CheckWritable();
        var length = (int)blocks * unit.BlockSize;
        var received = Math.Min(length, context.Command.DataOut.Length) / unit.BlockSize * unit.BlockSize;
        if (received == 0)
        {
            return new(ScsiResult.Good(dataOutLength: length));
        }

        return OrWriteAsync(context, (long)lba, received, length, (cdb[1] & Fua) != 0);
    }

    private static async ValueTask<ScsiResult> OrWriteAsync(CommandContext context, long lba, int received, int length, bool forceUnitAccess)
    {
        var unit = context.Unit;
        var buffer = ArrayPool<byte>.Shared.Rent(received);
        await unit.WriteGate.EnterAtomicAsync(context.CancellationToken).ConfigureAwait(false);
        try
        {
            var merged = buffer.AsMemory(0, received);
            await unit.Device.ReadAsync(lba, merged, context.CancellationToken).ConfigureAwait(false);
            Or(merged.Span, context.Command.DataOut.Span[..received]);
            var options = forceUnitAccess ? WriteOptions.ForceUnitAccess : WriteOptions.None;
            await unit.Device.WriteAsync(lba, merged, options, context.CancellationToken).ConfigureAwait(false);
            return ScsiResult.Good(dataOutLength: length);
        }
        finally
        {
            unit.WriteGate.ExitAtomic();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>destination |= source, eight bytes at a time (lengths are whole blocks).</summary>
    private static void Or(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        var wide = MemoryMarshal.Cast<byte, ulong>(destination);
        var with = MemoryMarshal.Cast<byte, ulong>(source);
        for (var i = 0; i < wide.Length; i++)
        {
            wide[i] |= with[i];
        }
    }
}
