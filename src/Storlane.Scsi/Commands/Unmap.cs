namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const int UnmapHeaderLength = 8;
    private const int UnmapDescriptorLength = 16;

    /// <summary>
    /// SBC-3 5.28 UNMAP. ANCHOR is outside the usage mask (ANC_SUP = 0), so ANCHOR = 1 is already
    /// INVALID FIELD IN CDB. Parameter list checks, all made before anything is deallocated:
    /// <list type="bullet">
    /// <item>"A PARAMETER LIST LENGTH set to zero specifies that no data shall be sent. This shall not
    /// be considered an error."</item>
    /// <item>"If the PARAMETER LIST LENGTH field is greater than zero and less than 8 (i.e., the UNMAP
    /// parameter list header), then ... PARAMETER LIST LENGTH ERROR"; the same when less data arrived
    /// than the header.</item>
    /// <item>The descriptors processed are those inside all three of: UNMAP BLOCK DESCRIPTOR DATA
    /// LENGTH, UNMAP DATA LENGTH - 6, and the data received; "If the UNMAP BLOCK DESCRIPTOR DATA LENGTH
    /// is not a multiple of 16, then the last UNMAP block descriptor is incomplete and shall be
    /// ignored."</item>
    /// <item>More descriptors than MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT, or more blocks in total than
    /// MAXIMUM UNMAP LBA COUNT: INVALID FIELD IN PARAMETER LIST.</item>
    /// <item>"If the LBA specified by the UNMAP LOGICAL BLOCK ADDRESS field plus the number of logical
    /// blocks exceeds the capacity of the medium, then ... LOGICAL BLOCK ADDRESS OUT OF RANGE."</item>
    /// <item>A NUMBER OF LOGICAL BLOCKS of zero unmaps nothing and is not an error.</item>
    /// </list>
    /// </summary>
    public static ValueTask<ScsiResult> Unmap(CommandContext context)
    {
        var unit = context.Unit;
        var parameterListLength = CdbReader.UInt16(context.Cdb, 7);
        unit.CheckWritable();
        if (parameterListLength == 0)
        {
            return new(ScsiResult.Good());
        }

        var data = context.Command.DataOut.Span;
        if (parameterListLength < UnmapHeaderLength || data.Length < UnmapHeaderLength)
        {
            ScsiErrors.ParameterListLengthError();
        }

        data = data[..Math.Min(data.Length, parameterListLength)];
        var unmapDataLength = CdbReader.UInt16(data, 0);
        var descriptorDataLength = CdbReader.UInt16(data, 2);
        var usable = Math.Min(Math.Min(descriptorDataLength, Math.Max(0, unmapDataLength - 6)), data.Length - UnmapHeaderLength);
        var count = usable / UnmapDescriptorLength;
        if ((uint)count > unit.MaxUnmapDescriptorCount)
        {
            ScsiErrors.InvalidFieldInParameterList(2);
        }

        ulong total = 0;
        for (var i = 0; i < count; i++)
        {
            var offset = UnmapHeaderLength + (i * UnmapDescriptorLength);
            var lba = CdbReader.UInt64(data, offset);
            var blocks = CdbReader.UInt32(data, offset + 8);
            unit.CheckRange(lba, blocks);
            total += blocks;
            if (total > unit.MaxUnmapLbaCount)
            {
                ScsiErrors.InvalidFieldInParameterList(offset + 8);
            }
        }

        var result = ScsiResult.Good(dataOutLength: parameterListLength);
        return total == 0 ? new(result) : UnderWriteGateAsync((context, count, result), static s => UnmapDescriptorsAsync(s.context, s.count, s.result), unit, context.CancellationToken);
    }

    private static async ValueTask<ScsiResult> UnmapDescriptorsAsync(CommandContext context, int count, ScsiResult result)
    {
        var device = context.Unit.Device;
        var data = context.Command.DataOut;
        for (var i = 0; i < count; i++)
        {
            var offset = UnmapHeaderLength + (i * UnmapDescriptorLength);
            var lba = CdbReader.UInt64(data.Span, offset);
            var blocks = CdbReader.UInt32(data.Span, offset + 8);
            if (blocks != 0)
            {
                await device.UnmapAsync((long)lba, blocks, context.CancellationToken).ConfigureAwait(false);
            }
        }

        return result;
    }
}
