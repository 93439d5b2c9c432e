namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SBC-3 5.6/5.7 PRE-FETCH(10/16). The range is checked like a read (LOGICAL BLOCK ADDRESS OUT
    /// OF RANGE); nothing is transferred. "If ... the cache does not have sufficient capacity to
    /// accept all of the specified logical blocks, the device server shall ... complete the command
    /// with GOOD status": the device cache is the host's page cache (or RAM), which we do not promise
    /// to keep, so GOOD rather than CONDITION MET. IMMED is accepted (the answer is immediate anyway).
    /// </summary>
    public static ValueTask<ScsiResult> PreFetch10(CommandContext context)
    {
        var cdb = context.Cdb;
        context.Unit.CheckRange(CdbReader.UInt32(cdb, 2), CdbReader.UInt16(cdb, 7));
        return new(ScsiResult.Good());
    }

    public static ValueTask<ScsiResult> PreFetch16(CommandContext context)
    {
        var cdb = context.Cdb;
        context.Unit.CheckRange(CdbReader.UInt64(cdb, 2), CdbReader.UInt32(cdb, 10));
        return new(ScsiResult.Good());
    }
}
