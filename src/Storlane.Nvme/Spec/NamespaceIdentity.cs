using System.Buffers.Binary;
using System.Numerics;

namespace Storlane.Nvme;

/// <summary>What Identify Namespace (CNS 00h) and the descriptor list (CNS 03h) report about one namespace.</summary>
public sealed record NamespaceIdentity
{
    public required long BlockCount { get; init; }

    public required int LogicalBlockSize { get; init; }

    public int PhysicalBlockSize { get; init; }

    public bool ThinProvisioned { get; init; }

    public bool ReadOnly { get; init; }

    public uint AnaGroupId { get; init; } = 1;

    /// <summary>RESCAP bit 0: a registration may persist through power loss (CPTPL).</summary>
    public bool PersistThroughPowerLoss { get; init; }

    public required byte[] Eui64 { get; init; }

    public required byte[] Nguid { get; init; }

    public required byte[] Uuid { get; init; }
}

/// <summary>Identify Namespace (NVM command set 1.0, figure 97) and Namespace Identification Descriptors (base 2.0, figure 274).</summary>
public static class IdentifyNamespaceData
{
    public const int Length = 4096;

    public static void Write(Span<byte> data, NamespaceIdentity ns)
    {
        data = data[..Length];
        data.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(data, (ulong)ns.BlockCount); // NSZE
        BinaryPrimitives.WriteUInt64LittleEndian(data[8..], (ulong)ns.BlockCount); // NCAP
        BinaryPrimitives.WriteUInt64LittleEndian(data[16..], (ulong)ns.BlockCount); // NUSE

        // NSFEAT: bit 0 thin provisioning, bit 4 the NPWG/NPWA/NPDG/NPDA/NOWS fields are valid.
        data[24] = (byte)((ns.ThinProvisioned ? 1 : 0) | (1 << 4));
        data[25] = 0; // NLBAF: one format (0's based).
        data[26] = 0; // FLBAS: format 0, no metadata.
        data[30] = 1; // NMIC: may be attached to more than one controller (multipath).

        // RESCAP (base 2.0, figure 276 byte 31): the six reservation types, and PTPL where it can persist.
        data[31] = (byte)(0b0111_1110 | (ns.PersistThroughPowerLoss ? 1 : 0));

        // DLFEAT: deallocated blocks read as zeros (001b), and Write Zeroes may deallocate (bit 3).
        data[33] = ns.ThinProvisioned ? (byte)0b1001 : (byte)0;

        // NPWG/NPWA/NPDG/NPDA (0's based, in logical blocks): the physical block, so a 512e
        // namespace tells the host to write whole 4 KiB blocks.
        var perPhysical = (ushort)(Math.Max(ns.PhysicalBlockSize, ns.LogicalBlockSize) / ns.LogicalBlockSize - 1);
        BinaryPrimitives.WriteUInt16LittleEndian(data[64..], perPhysical);
        BinaryPrimitives.WriteUInt16LittleEndian(data[66..], perPhysical);
        BinaryPrimitives.WriteUInt16LittleEndian(data[68..], perPhysical);
        BinaryPrimitives.WriteUInt16LittleEndian(data[70..], perPhysical);
        BinaryPrimitives.WriteUInt16LittleEndian(data[72..], perPhysical);
        BinaryPrimitives.WriteUInt32LittleEndian(data[92..], ns.AnaGroupId);

        // NSATTR bit 0: write protected.
        data[99] = ns.ReadOnly ? (byte)1 : (byte)0;
        ns.Nguid.CopyTo(data[104..]);
        ns.Eui64.CopyTo(data[120..]);

        // LBAF0: MS 0, LBADS = log2(block size), RP 0 (best performance).
        data[128 + 2] = (byte)BitOperations.Log2((uint)ns.LogicalBlockSize);
    }

    /// <summary>CNS 03h: descriptors NIDT 1 EUI-64, 2 NGUID, 3 UUID, 4 CSI (NVM); a zero NIDT ends the list.</summary>
    public static void WriteDescriptors(Span<byte> data, NamespaceIdentity ns)
    {
        data = data[..Length];
        data.Clear();
        var offset = 0;
        offset = Descriptor(data, offset, 1, ns.Eui64);
        offset = Descriptor(data, offset, 2, ns.Nguid);
        offset = Descriptor(data, offset, 3, ns.Uuid);
        Descriptor(data, offset, 4, [0]);
    }

    private static int Descriptor(Span<byte> data, int offset, byte type, ReadOnlySpan<byte> value)
    {
        data[offset] = type;
        data[offset + 1] = (byte)value.Length;
        value.CopyTo(data[(offset + 4)..]);
        return offset + 4 + value.Length;
    }

    /// <summary>CNS 02h: active NSIDs above <paramref name="after"/>, ascending, up to 1024.</summary>
    public static void WriteActiveList(Span<byte> data, ReadOnlySpan<uint> ascendingNsids, uint after)
    {
        data = data[..Length];
        data.Clear();
        var offset = 0;
        foreach (var nsid in ascendingNsids)
        {
            if (nsid > after && offset < Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(data[offset..], nsid);
                offset += 4;
            }
        }
    }
}
