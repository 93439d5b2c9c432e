using System.Buffers.Binary;
using Storlane.Protocol;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// The checksum field of VHDX headers, region tables and log entries (MS-VHDX 2: "the CRC used to
/// validate data is CRC-32C ... polynomial 0x1EDC6F41"), computed over the whole structure with the
/// field taken as zero. The CRC itself is the shared <see cref="Crc32C"/>.
/// </summary>
internal static class VhdxChecksum
{
    /// <summary>Computes the checksum with the field zeroed and stores it in the field.</summary>
    public static void Seal(Span<byte> structure, int checksumOffset)
    {
        structure.Slice(checksumOffset, 4).Clear();
        Crc32C.Write(structure[checksumOffset..], Crc32C.Compute(structure));
    }

    public static bool Verify(ReadOnlySpan<byte> structure, int checksumOffset)
    {
        var crc = Crc32C.Compute(structure[..checksumOffset]);
        crc = Crc32C.Append(crc, [0, 0, 0, 0]);
        crc = Crc32C.Append(crc, structure[(checksumOffset + 4)..]);
        return crc == Crc32C.Read(structure[checksumOffset..]);
    }
}
