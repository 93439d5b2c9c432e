using System.Buffers.Binary;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// One of the two 4 KB headers (MS-VHDX 2.2.2):
/// <code>
///  0 Signature "head"   4 Checksum (CRC-32C over 4 KB)   8 SequenceNumber
/// 16 FileWriteGuid     32 DataWriteGuid                 48 LogGuid
/// 64 LogVersion (0)    66 Version (1)   68 LogLength    72 LogOffset    80 Reserved (4016)
/// </code>
/// "A header is current if it is the only valid header or if it is valid and its SequenceNumber
/// field is greater than the other header's SequenceNumber field."
/// </summary>
internal sealed record VhdxHeader(
    ulong SequenceNumber,
    Guid FileWriteGuid,
    Guid DataWriteGuid,
    Guid LogGuid,
    ushort LogVersion,
    ushort Version,
    uint LogLength,
    ulong LogOffset)
{
    public const ushort CurrentVersion = 1;
    private const int ChecksumOffset = 4;

    public static VhdxHeader? TryParse(ReadOnlySpan<byte> block, out string? problem)
    {
        if (block.Length < VhdxFormat.HeaderSize || !block[..4].SequenceEqual(VhdxFormat.HeaderSignature))
        {
            problem = "signature is not 'head'";
            return null;
        }

        if (!VhdxChecksum.Verify(block[..VhdxFormat.HeaderSize], ChecksumOffset))
        {
            problem = "checksum mismatch";
            return null;
        }

        problem = null;
        return new VhdxHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(block[8..]),
            new Guid(block.Slice(16, 16)),
            new Guid(block.Slice(32, 16)),
            new Guid(block.Slice(48, 16)),
            BinaryPrimitives.ReadUInt16LittleEndian(block[64..]),
            BinaryPrimitives.ReadUInt16LittleEndian(block[66..]),
            BinaryPrimitives.ReadUInt32LittleEndian(block[68..]),
            BinaryPrimitives.ReadUInt64LittleEndian(block[72..]));
    }

    /// <summary>Writes the 4 KB header with its checksum into <paramref name="block"/>.</summary>
    public void WriteTo(Span<byte> block)
    {
        block = block[..VhdxFormat.HeaderSize];
        block.Clear();
        VhdxFormat.HeaderSignature.CopyTo(block);
        BinaryPrimitives.WriteUInt64LittleEndian(block[8..], SequenceNumber);
        FileWriteGuid.TryWriteBytes(block.Slice(16, 16));
        DataWriteGuid.TryWriteBytes(block.Slice(32, 16));
        LogGuid.TryWriteBytes(block.Slice(48, 16));
        BinaryPrimitives.WriteUInt16LittleEndian(block[64..], LogVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(block[66..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(block[68..], LogLength);
        BinaryPrimitives.WriteUInt64LittleEndian(block[72..], LogOffset);
        VhdxChecksum.Seal(block, ChecksumOffset);
    }

    /// <summary>Picks the current header of the two (either may be null when invalid).</summary>
    public static (VhdxHeader Header, int Slot)? PickCurrent(VhdxHeader? first, VhdxHeader? second)
    {
        if (first is null && second is null)
        {
            return null;
        }

        if (second is null || (first is not null && first.SequenceNumber > second.SequenceNumber))
        {
            return (first!, 0);
        }

        return (second, 1);
    }

    public static long SlotOffset(int slot) => slot == 0 ? VhdxFormat.Header1Offset : VhdxFormat.Header2Offset;
}
