using System.Buffers.Binary;

namespace Storlane.Scsi;

/// <summary>Big-endian CDB and parameter-list field readers (SPC-4 3.5: every multi-byte field is MSB first).</summary>
internal static class CdbReader
{
    public static ushort UInt16(ReadOnlySpan<byte> cdb, int offset) => BinaryPrimitives.ReadUInt16BigEndian(cdb[offset..]);

    public static uint UInt24(ReadOnlySpan<byte> cdb, int offset) => (uint)((cdb[offset] << 16) | (cdb[offset + 1] << 8) | cdb[offset + 2]);

    public static uint UInt32(ReadOnlySpan<byte> cdb, int offset) => BinaryPrimitives.ReadUInt32BigEndian(cdb[offset..]);

    public static ulong UInt64(ReadOnlySpan<byte> cdb, int offset) => BinaryPrimitives.ReadUInt64BigEndian(cdb[offset..]);

    /// <summary>
    /// SPC-4 4.2.5.3: CDB length follows from the GROUP CODE (top 3 bits of the opcode): 6, 10, 10,
    /// (variable), 16, 12; groups 6 and 7 are vendor specific. Returns 0 when it is not fixed.
    /// </summary>
    public static int LengthFromGroup(byte opcode) => (opcode >> 5) switch
    {
        0 => 6,
        1 or 2 => 10,
        4 => 16,
        5 => 12,
        _ => 0,
    };

    /// <summary>Index of the highest set bit, for the BIT POINTER of a field pointer.</summary>
    public static int HighestBit(int value) => 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)value);
}
