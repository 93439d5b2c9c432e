using System.Buffers.Binary;

namespace Storlane.Nvme;

/// <summary>One Discovery Log Page entry: a subsystem reachable at a transport address.</summary>
/// <param name="Address">TRADDR, e.g. 127.0.0.1.</param>
/// <param name="ServiceId">TRSVCID, the TCP port as text.</param>
/// <param name="IsIpv6">ADRFAM 2 (IPv6) instead of 1 (IPv4).</param>
/// <param name="PortId">PORTID: the NVM subsystem port (here the portal group).</param>
/// <param name="IsDiscovery">SUBTYPE 3 (this discovery subsystem) instead of 2 (NVM subsystem).</param>
public readonly record struct DiscoveryEntry(string SubsystemNqn, string Address, string ServiceId, bool IsIpv6, ushort PortId, bool IsDiscovery);

/// <summary>Discovery Log Page (NVMe over Fabrics 1.1, 5.3, figures 36-38): a 1024-byte header, then 1024 bytes per entry.</summary>
public static class DiscoveryLog
{
    public const int HeaderLength = 1024;
    public const int EntryLength = 1024;

    public static int Length(int entries) => HeaderLength + (EntryLength * entries);

    public static void Write(Span<byte> page, ulong generation, ReadOnlySpan<DiscoveryEntry> entries)
    {
        page = page[..Length(entries.Length)];
        page.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(page, generation); // GENCTR
        BinaryPrimitives.WriteUInt64LittleEndian(page[8..], (ulong)entries.Length); // NUMREC
        BinaryPrimitives.WriteUInt16LittleEndian(page[16..], 0); // RECFMT 0
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = page.Slice(HeaderLength + (i * EntryLength), EntryLength);
            var e = entries[i];
            entry[0] = 3; // TRTYPE: TCP
            entry[1] = e.IsIpv6 ? (byte)2 : (byte)1; // ADRFAM
            entry[2] = e.IsDiscovery ? (byte)3 : (byte)2; // SUBTYPE
            // TREQ: secure channel not specified; bit 2, the controller can disable SQ flow control
            // (a host that asks for it gets reads completed by the C2HData SUCCESS flag).
            entry[3] = 0b100;
            BinaryPrimitives.WriteUInt16LittleEndian(entry[4..], e.PortId);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[6..], 0xFFFF); // CNTLID: dynamic controller model
            BinaryPrimitives.WriteUInt16LittleEndian(entry[8..], 32); // ASQSZ: admin queue of 32 entries at least
            NvmeText.WriteSpacePadded(entry.Slice(32, 32), e.ServiceId);
            NvmeText.WriteNullTerminated(entry.Slice(256, 256), e.SubsystemNqn);
            NvmeText.WriteSpacePadded(entry.Slice(512, 256), e.Address);
            entry[768] = 0; // TSAS SECTYPE: no security
        }
    }
}
