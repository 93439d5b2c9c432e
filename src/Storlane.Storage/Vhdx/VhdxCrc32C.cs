using System.Buffers.Binary;
using System.Numerics;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of VHDX headers, region tables and log entries (MS-VHDX 2:
/// "the CRC used to validate data is CRC-32C ... polynomial 0x1EDC6F41"). Storage does not depend
/// on the iSCSI layer, so it keeps its own copy of this small routine.
/// </summary>
internal static class VhdxCrc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    /// <summary>Computes the checksum with the field zeroed and stores it in the field.</summary>
    public static void Seal(Span<byte> structure, int checksumOffset)
    {
        structure.Slice(checksumOffset, 4).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(structure[checksumOffset..], Compute(structure));
    }

    public static bool Verify(ReadOnlySpan<byte> structure, int checksumOffset)
    {
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(structure[checksumOffset..]);
        var crc = 0xFFFFFFFFu;
        crc = Update(crc, structure[..checksumOffset]);
        crc = Update(crc, [0, 0, 0, 0]);
        crc = Update(crc, structure[(checksumOffset + 4)..]);
        return ~crc == stored;
    }

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
