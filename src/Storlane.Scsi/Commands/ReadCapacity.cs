using System.Buffers.Binary;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SBC-3 5.15 READ CAPACITY(10): RETURNED LOGICAL BLOCK ADDRESS (the last LBA) and LOGICAL BLOCK
    /// LENGTH IN BYTES. "If the number of logical blocks exceeds the maximum value that is able to be
    /// specified in the RETURNED LOGICAL BLOCK ADDRESS field, the device server shall set [it] to
    /// FFFFFFFFh" (the initiator then uses READ CAPACITY(16)). "If the PMI bit is set to zero and the
    /// LOGICAL BLOCK ADDRESS field is not set to zero, ... INVALID FIELD IN CDB". With PMI = 1 we
    /// report the last LBA: no LBA is followed by a delay.
    /// </summary>
    public static ValueTask<ScsiResult> ReadCapacity10(CommandContext context)
    {
        var cdb = context.Cdb;
        CheckPmi(cdb, lbaOffset: 2, lbaLength: 4, pmiByte: 8);
        var unit = context.Unit;
        var lastLba = (ulong)unit.BlockCount - 1;
        Span<byte> data = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(data, lastLba > 0xFFFF_FFFEUL ? uint.MaxValue : (uint)lastLba);
        BinaryPrimitives.WriteUInt32BigEndian(data[4..], (uint)unit.BlockSize);
        return new(ParameterData.Return(context.Command, data, data.Length));
    }

    /// <summary>
    /// SBC-3 5.16 READ CAPACITY(16) (SERVICE ACTION IN(16) 9Eh, service action 10h): the last LBA,
    /// the block length, LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (512e: 3), LBPME (the unit is
    /// thin provisioned: UNMAP works) and LBPRZ (unmapped blocks read as zeros). No protection
    /// information (PROT_EN = 0) and LOWEST ALIGNED LOGICAL BLOCK ADDRESS 0.
    /// </summary>
    public static ValueTask<ScsiResult> ReadCapacity16(CommandContext context)
    {
        var cdb = context.Cdb;
        CheckPmi(cdb, lbaOffset: 2, lbaLength: 8, pmiByte: 14);
        var allocationLength = (int)Math.Min(CdbReader.UInt32(cdb, 10), int.MaxValue);
        var unit = context.Unit;
        Span<byte> data = stackalloc byte[32];
        data.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(data, (ulong)unit.BlockCount - 1);
        BinaryPrimitives.WriteUInt32BigEndian(data[8..], (uint)unit.BlockSize);
        data[13] = (byte)unit.LogicalPerPhysicalExponent;
        if (unit.SupportsUnmap)
        {
            data[14] = 0x80 | 0x40; // LBPME, LBPRZ
        }

        return new(ParameterData.Return(context.Command, data, allocationLength));
    }

    private static void CheckPmi(ReadOnlySpan<byte> cdb, int lbaOffset, int lbaLength, int pmiByte)
    {
        if ((cdb[pmiByte] & 0x01) == 0 && cdb.Slice(lbaOffset, lbaLength).ContainsAnyExcept((byte)0))
        {
            ScsiErrors.InvalidFieldInCdb(lbaOffset);
        }
    }
}
