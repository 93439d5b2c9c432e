using Storlane.Storage;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SBC-4 5.48 WRITE ATOMIC(16) (9Ch): LBA in bytes 2..9, ATOMIC BOUNDARY in 10..11 (outside the
    /// usage mask: MAXIMUM ATOMIC BOUNDARY SIZE is zero, so "If the ATOMIC BOUNDARY field is not set to
    /// zero ... INVALID FIELD IN CDB"), TRANSFER LENGTH in 12..13. "If the TRANSFER LENGTH field is
    /// greater than the MAXIMUM ATOMIC TRANSFER LENGTH ... INVALID FIELD IN CDB"; ATOMIC ALIGNMENT and
    /// ATOMIC TRANSFER LENGTH GRANULARITY are zero (no constraint). Zero blocks is not an error.
    /// The write runs holding <see cref="LogicalUnit.WriteGate"/> exclusively, so no other write,
    /// COMPARE AND WRITE or ORWRITE from any path interleaves with it (SBC-4 4.29: "either all or none
    /// of the logical blocks ... are written"). Across a power loss the memory backend is trivially
    /// all-or-nothing; the file backend is only as atomic as the file system makes one pwrite (the
    /// limit is stated in the README).
    /// </summary>
    public static ValueTask<ScsiResult> WriteAtomic16(CommandContext context)
    {
        var cdb = context.Cdb;
        var unit = context.Unit;
        var lba = CdbReader.UInt64(cdb, 2);
        var blocks = CdbReader.UInt16(cdb, 12);
        // The range first: a transfer past the end of the medium is LBA OUT OF RANGE whatever its length
        // (libiscsi WriteAtomic16.BeyondEol sends twice the atomic limit past the end and expects that).
        unit.CheckRange(lba, blocks);
        if (blocks > unit.MaxAtomicTransferBlocks)
        {
            ScsiErrors.InvalidFieldInCdb(12);
        }

        unit.CheckWritable();
        if (blocks == 0)
        {
            return new(ScsiResult.Good());
        }

        // All or none: a data-out shorter than the transfer cannot be written atomically, so nothing is.
        var length = blocks * unit.BlockSize;
        if (context.Command.DataOut.Length < length)
        {
            ScsiErrors.InvalidFieldInCdb(12);
        }

        return WriteAtomicAsync(context, (long)lba, length, length, (cdb[1] & Fua) != 0);
    }

    private static async ValueTask<ScsiResult> WriteAtomicAsync(CommandContext context, long lba, int received, int length, bool forceUnitAccess)
    {
        var unit = context.Unit;
        await unit.WriteGate.EnterAtomicAsync(context.CancellationToken).ConfigureAwait(false);
        try
        {
            var options = forceUnitAccess ? WriteOptions.ForceUnitAccess : WriteOptions.None;
            await unit.Device.WriteAsync(lba, context.Command.DataOut[..received], options, context.CancellationToken).ConfigureAwait(false);
            return ScsiResult.Good(dataOutLength: length);
        }
        finally
        {
            unit.WriteGate.ExitAtomic();
        }
    }
}
