using System.Buffers.Binary;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const int LbaStatusHeaderLength = 8;
    private const int LbaStatusDescriptorLength = 16;

    /// <summary>
    /// SBC-3 5.20 GET LBA STATUS: one LBA status descriptor from the STARTING LOGICAL BLOCK ADDRESS
    /// to the end of the unit (at most FFFFFFFFh blocks) with PROVISIONING STATUS 0h, which SBC-3
    /// defines as "mapped or unknown": always true, since every block reads back its data (or zeros
    /// when deallocated, LBPRZ = 1). Initiators such as qemu ask this whenever LBPME = 1. "If the
    /// specified starting LBA exceeds the capacity ... LOGICAL BLOCK ADDRESS OUT OF RANGE."
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

        Span<byte> data = stackalloc byte[LbaStatusHeaderLength + LbaStatusDescriptorLength];
        data.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)(data.Length - 4)); // PARAMETER DATA LENGTH
        var descriptor = data[LbaStatusHeaderLength..];
        BinaryPrimitives.WriteUInt64BigEndian(descriptor, start);
        BinaryPrimitives.WriteUInt32BigEndian(descriptor[8..], (uint)Math.Min((ulong)unit.BlockCount - start, uint.MaxValue));
        descriptor[12] = 0x00; // mapped or unknown
        return new(ParameterData.Return(context.Command, data, allocationLength));
    }
}
