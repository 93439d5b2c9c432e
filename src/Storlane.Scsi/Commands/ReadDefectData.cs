using System.Buffers.Binary;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const byte RequestPrimaryList = 0x10;
    private const byte RequestGrownList = 0x08;

    /// <summary>
    /// SBC-3 5.7 READ DEFECT DATA(10) (37h): a virtual medium has no defects, so the list is empty.
    /// Parameter data (5.7.2): byte 1 PLISTV (bit 4) and GLISTV (bit 3) say which lists are returned
    /// (those REQ_PLIST / REQ_GLIST asked for, empty), DEFECT LIST FORMAT echoes the request (any
    /// format describes an empty list), DEFECT LIST LENGTH (bytes 2..3) is zero.
    /// </summary>
    public static ValueTask<ScsiResult> ReadDefectData10(CommandContext context)
    {
        var cdb = context.Cdb;
        Span<byte> data = stackalloc byte[4];
        data.Clear();
        data[1] = DefectListFlags(cdb[2]);
        return new(ParameterData.Return(context.Command, data, CdbReader.UInt16(cdb, 7)));
    }

    /// <summary>
    /// SBC-3 5.8 READ DEFECT DATA(12) (B7h): the same empty lists with the 8-byte header of 5.8.2
    /// (GENERATION CODE 0: the lists never change; DEFECT LIST LENGTH in bytes 4..7 is zero).
    /// </summary>
    public static ValueTask<ScsiResult> ReadDefectData12(CommandContext context)
    {
        var cdb = context.Cdb;
        Span<byte> data = stackalloc byte[8];
        data.Clear();
        data[1] = DefectListFlags(cdb[1]);
        BinaryPrimitives.WriteUInt16BigEndian(data[2..], 0); // GENERATION CODE
        return new(ParameterData.Return(context.Command, data, (int)Math.Min(CdbReader.UInt32(cdb, 6), int.MaxValue)));
    }

    private static byte DefectListFlags(byte request) =>
        (byte)(request & (RequestPrimaryList | RequestGrownList | 0x07));
}
