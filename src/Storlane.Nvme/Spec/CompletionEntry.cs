using System.Buffers.Binary;

namespace Storlane.Nvme;

/// <summary>
/// The 16-byte completion queue entry (NVMe base 2.0, 4.2.1, figure 89): DW0 and DW1 command
/// specific, SQ head pointer and SQ identifier, command identifier, then the status field with the
/// phase tag in bit 0 (always 0 over fabrics).
/// </summary>
public readonly record struct CompletionEntry(uint Dword0, uint Dword1, ushort SubmissionQueueHead, ushort SubmissionQueueId, ushort CommandId, NvmeStatus Status)
{
    public const int Length = 16;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Dword0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Dword1);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], SubmissionQueueHead);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], SubmissionQueueId);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[12..], CommandId);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[14..], Status.Field);
    }

    public static CompletionEntry Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(source),
        BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[10..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[12..]),
        NvmeStatus.FromField(BinaryPrimitives.ReadUInt16LittleEndian(source[14..])));
}
