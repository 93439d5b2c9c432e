using System.Buffers.Binary;
using Storlane.Nvme;

namespace Storlane.Initiator.Nvme;

/// <summary>What Identify Namespace (NVM command set 1.0, figure 97) says about one namespace.</summary>
public sealed record NvmeNamespaceInfo(uint Nsid, long BlockCount, int BlockSize, uint AnaGroupId, bool WriteProtected, byte[] Nguid, byte[] Eui64)
{
    /// <summary>
    /// NSZE at 0, FLBAS at 26 (format index bits 3:0, and 6:5 above 16 formats), ANAGRPID at 92,
    /// NSATTR at 99, NGUID at 104, EUI64 at 120, LBA formats from 128 (LBADS at +2, a power of two).
    /// </summary>
    public static NvmeNamespaceInfo Parse(uint nsid, ReadOnlySpan<byte> data)
    {
        var size = BinaryPrimitives.ReadUInt64LittleEndian(data);
        var format = (data[26] & 0x0F) | ((data[26] >> 5 & 0b11) << 4);
        var lbads = data[128 + (4 * format) + 2];
        if (size == 0 || lbads is < 9 or > 16)
        {
            throw new IOException($"namespace {nsid} reports {size} blocks of 2^{lbads} bytes");
        }

        return new NvmeNamespaceInfo(
            nsid,
            (long)Math.Min(size, long.MaxValue >> 16),
            1 << lbads,
            BinaryPrimitives.ReadUInt32LittleEndian(data[92..]),
            (data[99] & 1) != 0,
            data.Slice(104, 16).ToArray(),
            data.Slice(120, 8).ToArray());
    }

    /// <summary>The ANA log (base 2.0, 8.1.3 / figure 209): group id to state, and namespace to group.</summary>
    internal static (Dictionary<uint, AnaState> Groups, Dictionary<uint, uint> Namespaces) ParseAnaLog(ReadOnlySpan<byte> log)
    {
        var groups = new Dictionary<uint, AnaState>();
        var namespaces = new Dictionary<uint, uint>();
        if (log.Length < 16)
        {
            return (groups, namespaces);
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(log[8..]);
        var offset = 16;
        for (var i = 0; i < count && offset + 32 <= log.Length; i++)
        {
            var group = BinaryPrimitives.ReadUInt32LittleEndian(log[offset..]);
            var nsids = BinaryPrimitives.ReadUInt32LittleEndian(log[(offset + 4)..]);
            groups[group] = (AnaState)(log[offset + 16] & 0x0F);
            offset += 32;
            for (var n = 0; n < nsids && offset + 4 <= log.Length; n++, offset += 4)
            {
                namespaces[BinaryPrimitives.ReadUInt32LittleEndian(log[offset..])] = group;
            }
        }

        return (groups, namespaces);
    }
}
