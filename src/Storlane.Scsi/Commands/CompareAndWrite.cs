using System.Buffers;
using Storlane.Storage;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SBC-3 5.2 COMPARE AND WRITE (89h), the VMware ATS primitive. The Data-Out buffer holds NUMBER
    /// OF LOGICAL BLOCKS of verify data followed by as many blocks of write data. Rules:
    /// <list type="bullet">
    /// <item>"A NUMBER OF LOGICAL BLOCKS field set to zero specifies that no read operations shall be
    /// performed, no logical block data shall be transferred ..., and no write operations shall be
    /// performed. This condition shall not be considered an error."</item>
    /// <item>More than MAXIMUM COMPARE AND WRITE LENGTH: INVALID FIELD IN CDB (SBC-3 6.5.3).</item>
    /// <item>A Data-Out buffer other than 2 x NUMBER OF LOGICAL BLOCKS blocks: INVALID FIELD IN CDB
    /// (checked first, so NUMBER OF LOGICAL BLOCKS 0 is GOOD only without data).</item>
    /// <item>"If the comparison is unsuccessful, the device server shall terminate the command with
    /// CHECK CONDITION status with the sense key set to MISCOMPARE and the additional sense code set to
    /// MISCOMPARE DURING VERIFY OPERATION. In the sense data ... the offset from the start of the
    /// Data-Out Buffer to the first byte of data that was not equal" goes in INFORMATION; nothing is
    /// written.</item>
    /// </list>
    /// The read, compare and write run while <see cref="LogicalUnit.WriteGate"/> excludes every other
    /// writer of the unit, from any session or path. A device that compares and writes atomically
    /// itself (<see cref="ICompareAndWriteDevice"/>: an RBD image, atomic in the OSD against every
    /// gateway) is handed the whole command instead; no in-process gate could exclude another gateway.
    /// </summary>
    public static ValueTask<ScsiResult> CompareAndWrite(CommandContext context)
    {
        var cdb = context.Cdb;
        var unit = context.Unit;
        var lba = CdbReader.UInt64(cdb, 2);
        var blocks = cdb[13];
        if (blocks > unit.CompareAndWriteLimit)
        {
            ScsiErrors.InvalidFieldInCdb(13);
        }

        unit.CheckRange(lba, blocks);
        unit.CheckWritable();
        var length = blocks * unit.BlockSize;
        if (context.Command.DataOut.Length != 2 * length)
        {
            // Also for NUMBER OF LOGICAL BLOCKS 0 with data: libiscsi sends 256 blocks as 0 (the field
            // is one byte) and expects the data-out it brings to be refused.
            ScsiErrors.InvalidFieldInCdb(13);
        }

        if (blocks == 0)
        {
            return new(ScsiResult.Good());
        }

        return unit.AtomicCompareDevice is { } device
            ? DeviceCompareAndWriteAsync(context, device, (long)lba, length, (cdb[1] & Fua) != 0)
            : CompareAndWriteAsync(context, (long)lba, length, (cdb[1] & Fua) != 0);
    }

    private static async ValueTask<ScsiResult> DeviceCompareAndWriteAsync(CommandContext context, ICompareAndWriteDevice device, long lba, int length, bool forceUnitAccess)
    {
        var data = context.Command.DataOut;
        var options = forceUnitAccess ? WriteOptions.ForceUnitAccess : WriteOptions.None;
        var mismatch = await device.CompareAndWriteAsync(lba, data[..length], data.Slice(length, length), options, context.CancellationToken).ConfigureAwait(false);
        if (mismatch >= 0)
        {
            // SBC-3 5.2: INFORMATION is the offset from the start of the Data-Out Buffer of the first
            // byte that was not equal; the verify data starts the buffer, so it is the same offset.
            ScsiErrors.Miscompare((int)mismatch);
        }

        return ScsiResult.Good(dataOutLength: 2 * length);
    }

    private static async ValueTask<ScsiResult> CompareAndWriteAsync(CommandContext context, long lba, int length, bool forceUnitAccess)
    {
        var unit = context.Unit;
        var data = context.Command.DataOut;
        var current = ArrayPool<byte>.Shared.Rent(length);
        await unit.WriteGate.EnterAtomicAsync(context.CancellationToken).ConfigureAwait(false);
        try
        {
            await unit.Device.ReadAsync(lba, current.AsMemory(0, length), context.CancellationToken).ConfigureAwait(false);
            var mismatch = current.AsSpan(0, length).CommonPrefixLength(data.Span[..length]);
            if (mismatch < length)
            {
                ScsiErrors.Miscompare(mismatch);
            }

            var options = forceUnitAccess ? WriteOptions.ForceUnitAccess : WriteOptions.None;
            await unit.Device.WriteAsync(lba, data.Slice(length, length), options, context.CancellationToken).ConfigureAwait(false);
            return ScsiResult.Good(dataOutLength: 2 * length);
        }
        finally
        {
            unit.WriteGate.ExitAtomic();
            ArrayPool<byte>.Shared.Return(current);
        }
    }
}
