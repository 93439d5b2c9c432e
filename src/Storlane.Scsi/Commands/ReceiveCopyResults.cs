using System.Buffers.Binary;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const byte CopyStatusCompleted = 0x01;
    private const byte CopyStatusCompletedWithErrors = 0x02;
    private const byte TransferCountBytes = 0x00;
    private const byte TransferCountKibibytes = 0xF1;

    /// <summary>
    /// SPC-4 6.18.2 RECEIVE COPY RESULTS, COPY STATUS (84h/00h): the held result of the EXTENDED COPY
    /// with this LIST IDENTIFIER from this I_T nexus: AVAILABLE DATA (8), HDD = 0 and COPY MANAGER
    /// STATUS (byte 4: 01h completed, 02h completed with errors), SEGMENTS PROCESSED (5..6), TRANSFER
    /// COUNT UNITS (byte 7: 00h bytes, F1h kibibytes when bytes do not fit) and TRANSFER COUNT (8..11).
    /// Copies run to completion before their command ends, so "in progress" (00h) never shows. No held
    /// result for the list: "the copy manager shall terminate the command with CHECK CONDITION status,
    /// with the sense key set to ILLEGAL REQUEST and the additional sense code set to INVALID FIELD IN CDB".
    /// </summary>
    public static ValueTask<ScsiResult> ReceiveCopyStatus(CommandContext context)
    {
        var cdb = context.Cdb;
        if (!context.Unit.Copies.TryGet(context.Command.Nexus.Id, cdb[2], out var status))
        {
            ScsiErrors.InvalidFieldInCdb(2);
        }

        Span<byte> data = stackalloc byte[12];
        data.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(data, 8);
        data[4] = status.Succeeded ? CopyStatusCompleted : CopyStatusCompletedWithErrors;
        BinaryPrimitives.WriteUInt16BigEndian(data[5..], status.SegmentsProcessed);
        if (status.BytesTransferred <= uint.MaxValue)
        {
            data[7] = TransferCountBytes;
            BinaryPrimitives.WriteUInt32BigEndian(data[8..], (uint)status.BytesTransferred);
        }
        else
        {
            data[7] = TransferCountKibibytes;
            BinaryPrimitives.WriteUInt32BigEndian(data[8..], (uint)Math.Min(status.BytesTransferred >> 10, uint.MaxValue));
        }

        return new(ParameterData.Return(context.Command, data, AllocationLength32(cdb, 10)));
    }

    /// <summary>
    /// SPC-4 6.18.4 RECEIVE COPY RESULTS, OPERATING PARAMETERS (84h/03h): SNLID = 1 (lists are
    /// identified per I_T nexus), MAXIMUM TARGET / SEGMENT DESCRIPTOR COUNT, MAXIMUM DESCRIPTOR LIST
    /// LENGTH, MAXIMUM SEGMENT LENGTH, no inline or held data, no stream devices, one copy at a time per
    /// command (TOTAL and MAXIMUM CONCURRENT COPIES 1), DATA SEGMENT GRANULARITY 2^9, and the implemented
    /// descriptor type codes: 02h (block to block) and E4h (identification descriptor).
    /// </summary>
    public static ValueTask<ScsiResult> ReceiveCopyOperatingParameters(CommandContext context)
    {
        ReadOnlySpan<byte> implemented = [BlockToBlockSegment, IdentificationTargetDescriptor];
        Span<byte> data = stackalloc byte[44 + 2];
        data.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)(data.Length - 4)); // AVAILABLE DATA
        data[4] = 0x01; // SNLID
        BinaryPrimitives.WriteUInt16BigEndian(data[8..], CopyManager.MaxTargetDescriptors);
        BinaryPrimitives.WriteUInt16BigEndian(data[10..], CopyManager.MaxSegmentDescriptors);
        BinaryPrimitives.WriteUInt32BigEndian(data[12..], CopyManager.MaxDescriptorListLength);
        BinaryPrimitives.WriteUInt32BigEndian(data[16..], CopyManager.MaxSegmentBytes);
        BinaryPrimitives.WriteUInt16BigEndian(data[34..], 1); // TOTAL CONCURRENT COPIES
        data[36] = 1; // MAXIMUM CONCURRENT COPIES
        data[37] = 9; // DATA SEGMENT GRANULARITY: 512 bytes
        data[43] = (byte)implemented.Length;
        implemented.CopyTo(data[44..]);
        return new(ParameterData.Return(context.Command, data, AllocationLength32(context.Cdb, 10)));
    }

    private static int AllocationLength32(ReadOnlySpan<byte> cdb, int offset) => (int)Math.Min(CdbReader.UInt32(cdb, offset), int.MaxValue);
}
