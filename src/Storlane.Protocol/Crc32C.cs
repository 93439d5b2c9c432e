using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace Storlane.Protocol;

/// <summary>
/// CRC32C (Castagnoli, polynomial 0x1EDC6F41), the one implementation of the checksum several
/// formats share: the iSCSI header and data digests (RFC 7143 13.1, RFC 3720 B.4), the NVMe/TCP
/// header and data digests (NVMe TCP transport 7.4.6.1) and the MS-VHDX header, region table and
/// log entry checksums (MS-VHDX 2). BitOperations.Crc32C uses the SSE4.2/ARMv8 CRC32 instruction
/// where present, eight bytes per step. Each format stores the value least significant byte first:
/// 32 zero bytes give 0x8A9136AA, sent as aa 36 91 8a.
/// </summary>
public static class Crc32C
{
    private const uint Seed = 0xFFFFFFFF;

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(Seed, data);

    public static uint Compute(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Compute(data.FirstSpan);
        }

        var crc = Seed;
        foreach (var segment in data)
        {
            crc = Update(crc, segment.Span);
        }

        return ~crc;
    }

    /// <summary>Digest of a data segment followed by its zero padding (padding is covered, RFC 7143 11.2.4).</summary>
    public static uint ComputePadded(in ReadOnlySequence<byte> data, int padding)
    {
        var crc = Seed;
        foreach (var segment in data)
        {
            crc = Update(crc, segment.Span);
        }

        for (var i = 0; i < padding; i++)
        {
            crc = BitOperations.Crc32C(crc, (byte)0);
        }

        return ~crc;
    }

    public static uint ComputePadded(ReadOnlySpan<byte> data, int padding)
    {
        var crc = Update(Seed, data);
        for (var i = 0; i < padding; i++)
        {
            crc = BitOperations.Crc32C(crc, (byte)0);
        }

        return ~crc;
    }

    /// <summary>
    /// Continues a CRC32C: <c>Append(Compute(a), b) == Compute(a + b)</c>, and <c>Append(0, a) ==
    /// Compute(a)</c>; for checksums over a structure read in pieces (MS-VHDX checksums cover the
    /// structure with the checksum field taken as zero).
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    public static void Write(Span<byte> destination, uint digest) => BinaryPrimitives.WriteUInt32LittleEndian(destination, digest);

    public static uint Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt32LittleEndian(source);

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
