using System.Buffers.Binary;
using Storlane.Storage;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const int LbaStatusHeaderLength = 8;
    private const int LbaStatusDescriptorLength = 16;
    private const byte ProvisioningMapped = 0x0;
    private const byte ProvisioningDeallocated = 0x1;

    /// <summary>Descriptors returned at most by one GET LBA STATUS (8 KiB of parameter data).</summary>
    private const int MaxLbaStatusDescriptors = 512;

    /// <summary>
    /// SBC-3 5.20 GET LBA STATUS. "If the specified starting LBA exceeds the capacity ... LOGICAL BLOCK
    /// ADDRESS OUT OF RANGE." The parameter data (5.20.2) is PARAMETER DATA LENGTH (bytes that follow),
    /// four reserved bytes, then LBA status descriptors (5.20.3: LBA, NUMBER OF LOGICAL BLOCKS,
    /// PROVISIONING STATUS) for consecutive extents, the first starting at the STARTING LOGICAL BLOCK
    /// ADDRESS, as many as the ALLOCATION LENGTH holds (at least one). With a device that answers
    /// <see cref="IAllocationQuery"/> each extent is mapped (0h) or deallocated (1h), as the backend
    /// really stores it; otherwise one descriptor to the end of the unit says 0h, "mapped or unknown".
    /// Deallocated blocks read as zeros (LBPRZ = 1 in READ CAPACITY(16) and VPD B2h).
    /// </summary>
    public static ValueTask<ScsiResult> GetLbaStatus(CommandContext context)
    {
        var cdb = context.Cdb;
        var start = CdbReader.UInt64(cdb, 2);
        var allocationLength = (int)Math.Min(CdbReader.UInt32(cdb, 10), int.MaxValue);
        var unit = context.Unit;
        if (start >= (ulong)unit.BlockCount)
        {
            ScsiErrors.LbaOutOfRange();
        }

        if (unit.Device is IAllocationQuery query)
        {
            return GetLbaStatusFromAllocationAsync(context, query, (long)start, allocationLength);
        }

        Span<byte> data = stackalloc byte[LbaStatusHeaderLength + LbaStatusDescriptorLength];
        data.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)(data.Length - 4)); // PARAMETER DATA LENGTH
        WriteLbaStatusDescriptor(data[LbaStatusHeaderLength..], (long)start, Math.Min(unit.BlockCount - (long)start, uint.MaxValue), ProvisioningMapped);
        return new(ParameterData.Return(context.Command, data, allocationLength));
    }

    private static async ValueTask<ScsiResult> GetLbaStatusFromAllocationAsync(CommandContext context, IAllocationQuery query, long start, int allocationLength)
    {
        var unit = context.Unit;
        var room = Math.Clamp((allocationLength - LbaStatusHeaderLength) / LbaStatusDescriptorLength, 1, MaxLbaStatusDescriptors);
        var length = LbaStatusHeaderLength + (room * LbaStatusDescriptorLength);
        var buffer = ParameterData.Rent(length);
        try
        {
            var count = 0;
            var lba = start;
            var runStart = start;
            long runBlocks = 0;
            var runMapped = false;
            while (lba < unit.BlockCount && count < room)
            {
                var run = await query.QueryAllocationAsync(lba, uint.MaxValue, context.CancellationToken).ConfigureAwait(false);
                if (run.BlockCount <= 0)
                {
                    break;
                }

                if (runBlocks != 0 && run.Mapped == runMapped && runBlocks + run.BlockCount <= uint.MaxValue)
                {
                    runBlocks += run.BlockCount;
                }
                else
                {
                    if (runBlocks != 0)
                    {
                        WriteLbaStatusDescriptor(buffer.AsSpan(LbaStatusHeaderLength + (count++ * LbaStatusDescriptorLength)), runStart, runBlocks, runMapped ? ProvisioningMapped : ProvisioningDeallocated);
                    }

                    (runStart, runBlocks, runMapped) = (lba, run.BlockCount, run.Mapped);
                }

                lba += run.BlockCount;
            }

            if (runBlocks != 0 && count < room)
            {
                WriteLbaStatusDescriptor(buffer.AsSpan(LbaStatusHeaderLength + (count++ * LbaStatusDescriptorLength)), runStart, runBlocks, runMapped ? ProvisioningMapped : ProvisioningDeallocated);
            }

            var available = LbaStatusHeaderLength + (count * LbaStatusDescriptorLength);
            BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)(available - 4)); // PARAMETER DATA LENGTH
            return ParameterData.Return(context.Command, buffer.AsSpan(0, available), allocationLength);
        }
        finally
        {
            ParameterData.Return(buffer);
        }
    }

    /// <summary>SBC-3 5.20.3: LBA (0..7), NUMBER OF LOGICAL BLOCKS (8..11), PROVISIONING STATUS (byte 12 bits 3..0).</summary>
    private static void WriteLbaStatusDescriptor(Span<byte> descriptor, long lba, long blocks, byte status)
    {
        BinaryPrimitives.WriteUInt64BigEndian(descriptor, (ulong)lba);
        BinaryPrimitives.WriteUInt32BigEndian(descriptor[8..], (uint)blocks);
        descriptor[12] = status;
    }
}
