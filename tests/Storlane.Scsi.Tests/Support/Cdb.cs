using System.Buffers.Binary;

namespace Storlane.Scsi.Tests;

/// <summary>CDB builders for the commands whose fields tests vary; fixed CDBs are written as hex in the tests.</summary>
internal static class Cdb
{
    public static byte[] Read10(uint lba, ushort blocks, byte flags = 0) => Ten(0x28, flags, lba, blocks);

    public static byte[] Write10(uint lba, ushort blocks, byte flags = 0) => Ten(0x2A, flags, lba, blocks);

    public static byte[] Verify10(uint lba, ushort blocks, byte flags = 0) => Ten(0x2F, flags, lba, blocks);

    public static byte[] WriteSame10(uint lba, ushort blocks, byte flags = 0) => Ten(0x41, flags, lba, blocks);

    public static byte[] SynchronizeCache10(uint lba, ushort blocks, byte flags = 0) => Ten(0x35, flags, lba, blocks);

    public static byte[] Read12(uint lba, uint blocks, byte flags = 0) => Twelve(0xA8, flags, lba, blocks);

    public static byte[] Write12(uint lba, uint blocks, byte flags = 0) => Twelve(0xAA, flags, lba, blocks);

    public static byte[] Read16(ulong lba, uint blocks, byte flags = 0) => Sixteen(0x88, flags, lba, blocks);

    public static byte[] Write16(ulong lba, uint blocks, byte flags = 0) => Sixteen(0x8A, flags, lba, blocks);

    public static byte[] Verify16(ulong lba, uint blocks, byte flags = 0) => Sixteen(0x8F, flags, lba, blocks);

    public static byte[] WriteSame16(ulong lba, uint blocks, byte flags = 0) => Sixteen(0x93, flags, lba, blocks);

    public static byte[] SynchronizeCache16(ulong lba, uint blocks, byte flags = 0) => Sixteen(0x91, flags, lba, blocks);

    public static byte[] Unmap(ushort parameterListLength, byte flags = 0)
    {
        var cdb = new byte[10];
        cdb[0] = 0x42;
        cdb[1] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(7), parameterListLength);
        return cdb;
    }

    /// <summary>An UNMAP parameter list: 8-byte header then one 16-byte descriptor per extent.</summary>
    public static byte[] UnmapList(params (ulong Lba, uint Blocks)[] extents)
    {
        var list = new byte[8 + (16 * extents.Length)];
        BinaryPrimitives.WriteUInt16BigEndian(list, (ushort)(list.Length - 2));
        BinaryPrimitives.WriteUInt16BigEndian(list.AsSpan(2), (ushort)(16 * extents.Length));
        for (var i = 0; i < extents.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(list.AsSpan(8 + (16 * i)), extents[i].Lba);
            BinaryPrimitives.WriteUInt32BigEndian(list.AsSpan(16 + (16 * i)), extents[i].Blocks);
        }

        return list;
    }

    public static byte[] ReportSupportedOpcodes(byte options, byte opcode = 0, ushort serviceAction = 0, bool timeouts = false, uint allocationLength = 4096)
    {
        var cdb = new byte[12];
        cdb[0] = 0xA3;
        cdb[1] = 0x0C;
        cdb[2] = (byte)((timeouts ? 0x80 : 0) | options);
        cdb[3] = opcode;
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(4), serviceAction);
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(6), allocationLength);
        return cdb;
    }

    private static byte[] Ten(byte opcode, byte flags, uint lba, ushort blocks)
    {
        var cdb = new byte[10];
        cdb[0] = opcode;
        cdb[1] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), lba);
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(7), blocks);
        return cdb;
    }

    private static byte[] Twelve(byte opcode, byte flags, uint lba, uint blocks)
    {
        var cdb = new byte[12];
        cdb[0] = opcode;
        cdb[1] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), lba);
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(6), blocks);
        return cdb;
    }

    private static byte[] Sixteen(byte opcode, byte flags, ulong lba, uint blocks)
    {
        var cdb = new byte[16];
        cdb[0] = opcode;
        cdb[1] = flags;
        BinaryPrimitives.WriteUInt64BigEndian(cdb.AsSpan(2), lba);
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(10), blocks);
        return cdb;
    }
}
