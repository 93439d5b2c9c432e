namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    public static ValueTask<ScsiResult> SynchronizeCache10(CommandContext context)
    {
        var cdb = context.Cdb;
        return SynchronizeCache(context, CdbReader.UInt32(cdb, 2), CdbReader.UInt16(cdb, 7));
    }

    public static ValueTask<ScsiResult> SynchronizeCache16(CommandContext context)
    {
        var cdb = context.Cdb;
        return SynchronizeCache(context, CdbReader.UInt64(cdb, 2), CdbReader.UInt32(cdb, 10));
    }

    /// <summary>
    /// SBC-3 5.22 SYNCHRONIZE CACHE(10/16). "A NUMBER OF LOGICAL BLOCKS field set to zero specifies
    /// that all logical blocks starting with the one specified in the LOGICAL BLOCK ADDRESS field to
    /// the last logical block on the medium shall be synchronized"; a range past the capacity is
    /// LOGICAL BLOCK ADDRESS OUT OF RANGE. The device flushes as a whole (the range only narrows what
    /// must be durable). IMMED = 1 is accepted, and we still answer after the flush: returning early
    /// is allowed, not required, and answering late is never wrong. SYNC_NV is accepted and ignored.
    /// </summary>
    private static ValueTask<ScsiResult> SynchronizeCache(CommandContext context, ulong lba, ulong blocks)
    {
        var unit = context.Unit;
        if (blocks == 0)
        {
            if (lba > (ulong)unit.BlockCount)
            {
                ScsiErrors.LbaOutOfRange();
            }
        }
        else
        {
            unit.CheckRange(lba, blocks);
        }

        return Completed(unit.Device.FlushAsync(context.CancellationToken), ScsiResult.Good());
    }
}
