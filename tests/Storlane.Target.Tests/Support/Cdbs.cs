using System.Buffers.Binary;

namespace Storlane.Target.Tests.Support;

/// <summary>CDB builders for the commands the transport tests use.</summary>
internal static class Cdbs
{
    public static byte[] TestUnitReady() => new byte[16];

    public static byte[] Inquiry(ushort allocation = 96)
    {
        var cdb = new byte[16];
        cdb[0] = 0x12;
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(3), allocation);
        return cdb;
    }

    public static byte[] Read10(uint lba, ushort blocks) => ReadWrite10(0x28, lba, blocks);

    public static byte[] Write10(uint lba, ushort blocks) => ReadWrite10(0x2A, lba, blocks);

    private static byte[] ReadWrite10(byte opcode, uint lba, ushort blocks)
    {
        var cdb = new byte[16];
        cdb[0] = opcode;
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), lba);
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(7), blocks);
        return cdb;
    }
}
