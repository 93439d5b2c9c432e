using System.Buffers;
using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const int CopyHeaderLength = 16;
    private const int TargetDescriptorLength = 32;
    private const int BlockToBlockSegmentLength = 28;
    private const byte IdentificationTargetDescriptor = 0xE4;
    private const byte BlockToBlockSegment = 0x02;
    private const byte ListIdUsageHold = 0x00;
    private const int CopyChunkBytes = 1 << 20;

    /// <summary>
    /// SPC-4 6.3 EXTENDED COPY (LID1) (83h/00h): copy offload between the logical units of this target.
    /// Parameter list (6.3.1): LIST IDENTIFIER, STR / LIST ID USAGE / PRIORITY, TARGET DESCRIPTOR LIST
    /// LENGTH (2..3), SEGMENT DESCRIPTOR LIST LENGTH (8..11), INLINE DATA LENGTH (12..15), then the
    /// descriptors. The copy manager supports identification descriptor target descriptors (E4h,
    /// 6.3.6.2) naming a logical unit of this target by its NAA designator, and block device to block
    /// device segment descriptors (02h, 6.3.7.5). Checks, in order:
    /// <list type="bullet">
    /// <item>PARAMETER LIST LENGTH 0: nothing to do, GOOD ("This shall not be considered an error").</item>
    /// <item>descriptor lists longer than the parameter list, or longer together than MAXIMUM DESCRIPTOR
    /// LIST LENGTH: PARAMETER LIST LENGTH ERROR;</item>
    /// <item>more target / segment descriptors than reported: TOO MANY TARGET DESCRIPTORS (26h/06h) /
    /// TOO MANY SEGMENT DESCRIPTORS (26h/08h); inline data is not supported (MAXIMUM INLINE DATA
    /// LENGTH 0): INVALID FIELD IN PARAMETER LIST;</item>
    /// <item>an unknown descriptor type: UNSUPPORTED TARGET / SEGMENT DESCRIPTOR TYPE CODE (26h/07h,
    /// 26h/09h);</item>
    /// <item>a designator no logical unit of this target has, or a segment naming a target descriptor
    /// index that does not exist: COPY ABORTED, UNREACHABLE COPY TARGET (08h/04h); a peripheral device
    /// type other than 0 (block): COPY ABORTED, INCORRECT COPY TARGET DEVICE TYPE (0Dh/03h);</item>
    /// <item>a segment outside a unit's capacity: COPY ABORTED, NO ADDITIONAL SENSE INFORMATION, and
    /// the segments before it stay copied (5.16.7: "the copy manager ... shall terminate the command
    /// with CHECK CONDITION status, with the sense key set to COPY ABORTED").</item>
    /// </list>
    /// LU ID TYPE is ignored (SPC-4 made it obsolete), as is the obsolete NUL bit. The destination must
    /// be writable and the two units must have the same logical block length (so DC does not matter).
    /// Each chunk is read from the source and written as a writer of the destination's write gate;
    /// overlapping ranges on one unit are copied backwards when the destination lies above the source.
    /// With LIST ID USAGE 00b the outcome is held for RECEIVE COPY RESULTS (COPY STATUS).
    /// </summary>
    public static ValueTask<ScsiResult> ExtendedCopy(CommandContext context)
    {
        var listLength = CdbReader.UInt32(context.Cdb, 10);
        if (listLength == 0)
        {
            return new(ScsiResult.Good());
        }

        var data = context.Command.DataOut.Span;
        if (listLength < CopyHeaderLength || data.Length < listLength)
        {
            ScsiErrors.ParameterListLengthError();
        }

        data = data[..(int)listLength];
        var targetListLength = CdbReader.UInt16(data, 2);
        var segmentListLength = CdbReader.UInt32(data, 8);
        var inlineLength = CdbReader.UInt32(data, 12);
        if ((ulong)CopyHeaderLength + targetListLength + segmentListLength + inlineLength > listLength
            || targetListLength + (ulong)segmentListLength > CopyManager.MaxDescriptorListLength)
        {
            ScsiErrors.ParameterListLengthError();
        }

        if (inlineLength != 0)
        {
            ScsiErrors.InvalidFieldInParameterList(12);
        }

        if (targetListLength % TargetDescriptorLength != 0)
        {
            ScsiErrors.InvalidFieldInParameterList(2);
        }

        var targetCount = targetListLength / TargetDescriptorLength;
        if (targetCount > CopyManager.MaxTargetDescriptors)
        {
            throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.TooManyTargetDescriptors, FieldPointer.Parameter(2));
        }

        var segments = data.Slice(CopyHeaderLength + targetListLength, (int)segmentListLength);
        var segmentCount = CountSegments(segments, CopyHeaderLength + targetListLength);
        if (segmentCount > CopyManager.MaxSegmentDescriptors)
        {
            throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.TooManySegmentDescriptors, FieldPointer.Parameter(8));
        }

        var targets = new LogicalUnit?[targetCount];
        for (var i = 0; i < targetCount; i++)
        {
            var offset = CopyHeaderLength + (i * TargetDescriptorLength);
            targets[i] = ResolveCopyTarget(context, data.Slice(offset, TargetDescriptorLength), offset);
        }

        var plan = new CopySegment[segmentCount];
        var position = 0;
        for (var i = 0; i < segmentCount; i++)
        {
            var segment = segments[position..];
            plan[i] = new CopySegment(
                CdbReader.UInt16(segment, 4),
                CdbReader.UInt16(segment, 6),
                CdbReader.UInt16(segment, 10),
                CdbReader.UInt64(segment, 12),
                CdbReader.UInt64(segment, 20));
            position += BlockToBlockSegmentLength;
        }

        var listId = data[0];
        var hold = ((data[1] >> 3) & 0x03) == ListIdUsageHold;
        return RunCopyAsync(context, targets, plan, listId, hold, (int)listLength);
    }

    /// <summary>Counts the segment descriptors, refusing any type but block to block (02h).</summary>
    private static int CountSegments(ReadOnlySpan<byte> segments, int listOffset)
    {
        var count = 0;
        var position = 0;
        while (position < segments.Length)
        {
            if (segments[position] != BlockToBlockSegment)
            {
                throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.UnsupportedSegmentDescriptorTypeCode, FieldPointer.Parameter(listOffset + position));
            }

            if (position + BlockToBlockSegmentLength > segments.Length || CdbReader.UInt16(segments, position + 2) != BlockToBlockSegmentLength - 4)
            {
                ScsiErrors.InvalidFieldInParameterList(listOffset + position + 2);
            }

            position += BlockToBlockSegmentLength;
            count++;
        }

        return count;
    }

    /// <summary>
    /// SPC-4 6.3.6.2 identification descriptor target descriptor: byte 1 PERIPHERAL DEVICE TYPE (4..0),
    /// bytes 4..23 a designation descriptor (as in VPD page 83h), bytes 29..31 DISK BLOCK LENGTH. Null
    /// is never returned: an unreachable target ends the command.
    /// </summary>
    private static LogicalUnit ResolveCopyTarget(CommandContext context, ReadOnlySpan<byte> descriptor, int offset)
    {
        if (descriptor[0] != IdentificationTargetDescriptor)
        {
            throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.UnsupportedTargetDescriptorTypeCode, FieldPointer.Parameter(offset));
        }

        if ((descriptor[1] & 0x1F) != 0)
        {
            throw new ScsiException(SenseKey.CopyAborted, AdditionalSense.IncorrectCopyTargetDeviceType);
        }

        // Designation descriptor: CODE SET 1h (binary), ASSOCIATION 00b (logical unit), TYPE 3h (NAA), 8 bytes.
        var designatorType = descriptor[5] & 0x0F;
        var association = (descriptor[5] >> 4) & 0x03;
        var length = descriptor[7];
        LogicalUnit? found = null;
        if (designatorType == 0x3 && association == 0 && length == 8)
        {
            var naa = CdbReader.UInt64(descriptor, 8);
            foreach (var unit in context.Target.LogicalUnits)
            {
                if (unit.NaaIdentifier == naa)
                {
                    found = unit;
                    break;
                }
            }
        }

        if (found is null)
        {
            throw new ScsiException(SenseKey.CopyAborted, AdditionalSense.UnreachableCopyTarget);
        }

        if (CdbReader.UInt24(descriptor, 29) != (uint)found.BlockSize)
        {
            ScsiErrors.InvalidFieldInParameterList(offset + 29);
        }

        return found;
    }

    private static async ValueTask<ScsiResult> RunCopyAsync(CommandContext context, LogicalUnit?[] targets, CopySegment[] plan, byte listId, bool hold, int listLength)
    {
        var nexus = context.Command.Nexus;
        ushort done = 0;
        ulong bytes = 0;
        var succeeded = false;
        try
        {
            foreach (var segment in plan)
            {
                if (segment.Source >= targets.Length || segment.Destination >= targets.Length)
                {
                    throw new ScsiException(SenseKey.CopyAborted, AdditionalSense.UnreachableCopyTarget);
                }

                var source = targets[segment.Source]!;
                var destination = targets[segment.Destination]!;
                if (source.BlockSize != destination.BlockSize)
                {
                    throw new ScsiException(SenseKey.CopyAborted, AdditionalSense.IncorrectCopyTargetDeviceType);
                }

                if (source.Reservations.Conflicts(nexus, ReservationAccess.Read) || destination.Reservations.Conflicts(nexus, ReservationAccess.Write))
                {
                    return ScsiResult.ReservationConflict;
                }

                if (source.MediumRemoved || destination.MediumRemoved)
                {
                    // A copy target whose removable medium is unloaded cannot be read or written.
                    throw new ScsiException(SenseKey.CopyAborted, AdditionalSense.CopyTargetDeviceNotReachable);
                }

                destination.CheckWritable();
                if (!InRange(source, segment.SourceLba, segment.Blocks) || !InRange(destination, segment.DestinationLba, segment.Blocks))
                {
                    throw new ScsiException(SenseKey.CopyAborted, AdditionalSense.NoAdditionalSenseInformation);
                }

                await CopyBlocksAsync(source, destination, (long)segment.SourceLba, (long)segment.DestinationLba, segment.Blocks, context.CancellationToken).ConfigureAwait(false);
                bytes += (ulong)segment.Blocks * (ulong)source.BlockSize;
                done++;
            }

            succeeded = true;
            return ScsiResult.Good(dataOutLength: listLength);
        }
        finally
        {
            if (hold)
            {
                context.Unit.Copies.Hold(nexus.Id, listId, new CopyStatus(succeeded, done, bytes));
            }
        }
    }

    private static bool InRange(LogicalUnit unit, ulong lba, ulong blocks) =>
        blocks <= (ulong)unit.BlockCount && lba <= (ulong)unit.BlockCount - blocks;

    private static async ValueTask CopyBlocksAsync(LogicalUnit source, LogicalUnit destination, long sourceLba, long destinationLba, int blocks, CancellationToken cancellationToken)
    {
        if (blocks == 0)
        {
            return;
        }

        var blockSize = source.BlockSize;
        var chunkBlocks = Math.Max(1, Math.Min(blocks, CopyChunkBytes / blockSize));
        var backwards = ReferenceEquals(source, destination) && destinationLba > sourceLba && destinationLba < sourceLba + blocks;
        var buffer = ArrayPool<byte>.Shared.Rent(chunkBlocks * blockSize);
        try
        {
            for (var copied = 0; copied < blocks; copied += chunkBlocks)
            {
                var count = Math.Min(chunkBlocks, blocks - copied);
                var from = backwards ? blocks - copied - count : copied;
                var memory = buffer.AsMemory(0, count * blockSize);
                await source.Device.ReadAsync(sourceLba + from, memory, cancellationToken).ConfigureAwait(false);
                var gate = destination.WriteGate;
                if (!gate.TryEnterWrite())
                {
                    await gate.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    await destination.Device.WriteAsync(destinationLba + from, memory, WriteOptions.None, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    gate.ExitWrite();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One block to block segment: target descriptor indexes, BLOCK DEVICE NUMBER OF BLOCKS, LBAs.</summary>
    private readonly record struct CopySegment(ushort Source, ushort Destination, ushort Blocks, ulong SourceLba, ulong DestinationLba);
}
