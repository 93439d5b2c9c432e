using System.Buffers.Binary;

namespace Storlane.Protocol.Scsi;

/// <summary>
/// Builds CDBs (SPC-4, SBC-3) into a caller's span; each returns the CDB length. The initiator's disk
/// API sends these, and tests use them to drive the target.
/// </summary>
public static class Cdbs
{
    public static int TestUnitReady(Span<byte> cdb)
    {
        cdb[..6].Clear();
        return 6;
    }

    /// <summary>INQUIRY (SPC-4 6.6); with <paramref name="vpdPage"/> set, the EVPD bit asks for that page.</summary>
    public static int Inquiry(Span<byte> cdb, byte? vpdPage, ushort allocationLength)
    {
        cdb[..6].Clear();
        cdb[0] = (byte)ScsiOpcode.Inquiry;
        if (vpdPage is { } page)
        {
            cdb[1] = 0x01;
            cdb[2] = page;
        }

        BinaryPrimitives.WriteUInt16BigEndian(cdb[3..], allocationLength);
        return 6;
    }

    /// <summary>READ CAPACITY(10) (SBC-3 5.15): 8 bytes of last LBA and block length.</summary>
    public static int ReadCapacity10(Span<byte> cdb)
    {
        cdb[..10].Clear();
        cdb[0] = (byte)ScsiOpcode.ReadCapacity10;
        return 10;
    }

    /// <summary>READ CAPACITY(16) (SBC-3 5.16), SERVICE ACTION IN(16) with service action 10h.</summary>
    public static int ReadCapacity16(Span<byte> cdb, uint allocationLength)
    {
        cdb[..16].Clear();
        cdb[0] = (byte)ScsiOpcode.ServiceActionIn16;
        cdb[1] = ScsiServiceAction.ReadCapacity16;
        BinaryPrimitives.WriteUInt32BigEndian(cdb[10..], allocationLength);
        return 16;
    }

    /// <summary>REPORT TARGET PORT GROUPS (SPC-4 6.37): MAINTENANCE IN, service action 0Ah.</summary>
    public static int ReportTargetPortGroups(Span<byte> cdb, uint allocationLength)
    {
        cdb[..12].Clear();
        cdb[0] = (byte)ScsiOpcode.MaintenanceIn;
        cdb[1] = ScsiServiceAction.ReportTargetPortGroups;
        BinaryPrimitives.WriteUInt32BigEndian(cdb[6..], allocationLength);
        return 12;
    }

    /// <summary>READ(10) (SBC-3): a 32-bit LBA and at most 65535 blocks.</summary>
    public static int Read10(Span<byte> cdb, uint lba, ushort blocks) => ReadWrite10(cdb, ScsiOpcode.Read10, lba, blocks);

    /// <summary>WRITE(10) (SBC-3): a 32-bit LBA and at most 65535 blocks.</summary>
    public static int Write10(Span<byte> cdb, uint lba, ushort blocks) => ReadWrite10(cdb, ScsiOpcode.Write10, lba, blocks);

    /// <summary>READ(16) (SBC-3 5.11).</summary>
    public static int Read16(Span<byte> cdb, ulong lba, uint blocks) => ReadWrite16(cdb, ScsiOpcode.Read16, lba, blocks, fua: false);

    /// <summary>WRITE(16) (SBC-3 5.40); FUA asks the device to write through its cache.</summary>
    public static int Write16(Span<byte> cdb, ulong lba, uint blocks, bool fua) => ReadWrite16(cdb, ScsiOpcode.Write16, lba, blocks, fua);

    /// <summary>SYNCHRONIZE CACHE(16) (SBC-3 5.23); LBA 0 and 0 blocks mean the whole medium.</summary>
    public static int SynchronizeCache16(Span<byte> cdb, ulong lba, uint blocks) => ReadWrite16(cdb, ScsiOpcode.SynchronizeCache16, lba, blocks, fua: false);

    /// <summary>UNMAP (SBC-3 5.28) with a parameter list of <paramref name="parameterLength"/> bytes.</summary>
    public static int Unmap(Span<byte> cdb, ushort parameterLength)
    {
        cdb[..10].Clear();
        cdb[0] = (byte)ScsiOpcode.Unmap;
        BinaryPrimitives.WriteUInt16BigEndian(cdb[7..], parameterLength);
        return 10;
    }

    /// <summary>The UNMAP parameter list with one block descriptor: 8-byte header + 16-byte descriptor.</summary>
    public static int UnmapParameters(Span<byte> list, ulong lba, uint blocks)
    {
        list[..24].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(list, 22);
        BinaryPrimitives.WriteUInt16BigEndian(list[2..], 16);
        BinaryPrimitives.WriteUInt64BigEndian(list[8..], lba);
        BinaryPrimitives.WriteUInt32BigEndian(list[16..], blocks);
        return 24;
    }

    private static int ReadWrite10(Span<byte> cdb, ScsiOpcode opcode, uint lba, ushort blocks)
    {
        cdb[..10].Clear();
        cdb[0] = (byte)opcode;
        BinaryPrimitives.WriteUInt32BigEndian(cdb[2..], lba);
        BinaryPrimitives.WriteUInt16BigEndian(cdb[7..], blocks);
        return 10;
    }

    private static int ReadWrite16(Span<byte> cdb, ScsiOpcode opcode, ulong lba, uint blocks, bool fua)
    {
        cdb[..16].Clear();
        cdb[0] = (byte)opcode;
        cdb[1] = (byte)(fua ? 0x08 : 0);
        BinaryPrimitives.WriteUInt64BigEndian(cdb[2..], lba);
        BinaryPrimitives.WriteUInt32BigEndian(cdb[10..], blocks);
        return 16;
    }
}
