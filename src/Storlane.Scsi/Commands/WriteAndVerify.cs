namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SBC-3 5.37-5.39 WRITE AND VERIFY(10/12/16): write, then verify the medium. BYTCHK = 0 verifies
    /// the blocks were written; BYTCHK = 01b compares them with the Data-Out buffer that was just
    /// written. A device write that completed already read back as written (no media errors are
    /// hidden in the page cache or RAM), so both are the write itself. BYTCHK 10b and 11b are reserved
    /// for this command (SBC-4 table 142): INVALID FIELD IN CDB.
    /// </summary>
    public static ValueTask<ScsiResult> WriteAndVerify10(CommandContext context)
    {
        var cdb = context.Cdb;
        CheckWriteAndVerifyByteCheck(cdb);
        return WriteBlocks(context, CdbReader.UInt32(cdb, 2), CdbReader.UInt16(cdb, 7), forceUnitAccess: false, lengthOffset: 7);
    }

    public static ValueTask<ScsiResult> WriteAndVerify12(CommandContext context)
    {
        var cdb = context.Cdb;
        CheckWriteAndVerifyByteCheck(cdb);
        return WriteBlocks(context, CdbReader.UInt32(cdb, 2), CdbReader.UInt32(cdb, 6), forceUnitAccess: false, lengthOffset: 6);
    }

    public static ValueTask<ScsiResult> WriteAndVerify16(CommandContext context)
    {
        var cdb = context.Cdb;
        CheckWriteAndVerifyByteCheck(cdb);
        return WriteBlocks(context, CdbReader.UInt64(cdb, 2), CdbReader.UInt32(cdb, 10), forceUnitAccess: false, lengthOffset: 10);
    }

    private static void CheckWriteAndVerifyByteCheck(ReadOnlySpan<byte> cdb)
    {
        if ((cdb[1] & 0x04) != 0)
        {
            ScsiErrors.InvalidFieldInCdb(1, 2);
        }
    }
}
