using System.Buffers.Binary;
using Storlane.Nvme;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Nvme;

/// <summary>
/// The block commands <see cref="BlockDisk"/> issues, as NVM commands (after the NVM Express SCSI
/// Translation Reference 1.5, as Windows' StorNVMe and the old Linux nvme-scsi did): READ(16) and
/// WRITE(16) to Read/Write (FUA kept), SYNCHRONIZE CACHE(16) to Flush, UNMAP to Dataset Management
/// with the deallocate attribute. Anything else has no translation here.
/// </summary>
internal static class NvmeBlockCommands
{
    /// <summary>NLB is 16 bits, 0's based (NVM command set 1.0, figure 30): 65536 blocks per command at most.</summary>
    public const int MaxBlocksPerCommand = 65536;

    /// <summary>
    /// Builds the NVM command for <paramref name="cdb"/>; false when it has no translation. UNMAP's
    /// parameter list becomes a new range list in <paramref name="data"/>; the other commands move
    /// the caller's buffer as it is.
    /// </summary>
    public static bool TryTranslate(in ScsiCdb cdb, uint nsid, ReadOnlyMemory<byte> dataOut, out NvmeCommand command, out ReadOnlyMemory<byte> data)
    {
        Span<byte> bytes = stackalloc byte[16];
        cdb.CopyTo(bytes);
        data = dataOut;
        switch ((ScsiOpcode)cdb.Opcode)
        {
            case ScsiOpcode.Read16 or ScsiOpcode.Write16:
                {
                    // SBC-3 5.8 / 5.37: LOGICAL BLOCK ADDRESS at 2..9, TRANSFER LENGTH at 10..13, FUA byte 1 bit 3.
                    var lba = BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]);
                    var blocks = BinaryPrimitives.ReadUInt32BigEndian(bytes[10..]);
                    command = NvmeCommand.Io(cdb.Opcode == (byte)ScsiOpcode.Read16 ? IoOpcode.Read : IoOpcode.Write, nsid);
                    if (blocks is 0 or > MaxBlocksPerCommand)
                    {
                        return false;
                    }

                    command.SetUInt64(40, lba);
                    command.SetDword(12, (blocks - 1) | ((bytes[1] & 0x08) != 0 ? 1u << 30 : 0));
                    return true;
                }

            case ScsiOpcode.SynchronizeCache16:
                command = NvmeCommand.Io(IoOpcode.Flush, nsid);
                return true;
            case ScsiOpcode.Unmap:
                return TryTranslateUnmap(nsid, dataOut.Span, out command, out data);
            default:
                command = default;
                return false;
        }
    }

    /// <summary>
    /// UNMAP block descriptors (SBC-3 5.28.2: 8-byte header, then LBA (8) and count (4) big-endian
    /// per 16 bytes) to Dataset Management ranges (NVM 1.0, figure 39: attributes, count, SLBA, little-endian), AD set.
    /// </summary>
    private static bool TryTranslateUnmap(uint nsid, ReadOnlySpan<byte> list, out NvmeCommand command, out ReadOnlyMemory<byte> data)
    {
        command = NvmeCommand.Io(IoOpcode.DatasetManagement, nsid);
        data = default;
        var descriptors = list.Length >= 8 ? (list.Length - 8) / 16 : 0;
        if (descriptors is 0 or > 256)
        {
            return false;
        }

        var ranges = new byte[descriptors * 16];
        for (var i = 0; i < descriptors; i++)
        {
            var descriptor = list.Slice(8 + (i * 16), 16);
            var range = ranges.AsSpan(i * 16, 16);
            BinaryPrimitives.WriteUInt32LittleEndian(range[4..], BinaryPrimitives.ReadUInt32BigEndian(descriptor[8..]));
            BinaryPrimitives.WriteUInt64LittleEndian(range[8..], BinaryPrimitives.ReadUInt64BigEndian(descriptor));
        }

        command.SetDword(10, (uint)(descriptors - 1));
        command.SetDword(11, 1u << 2);
        data = ranges;
        return true;
    }
}
