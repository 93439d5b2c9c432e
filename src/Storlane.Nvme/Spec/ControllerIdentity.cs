using System.Buffers.Binary;

namespace Storlane.Nvme;

/// <summary>What Identify Controller (CNS 01h) reports about one controller.</summary>
public sealed record ControllerIdentity
{
    public required ushort ControllerId { get; init; }

    public required string SubsystemNqn { get; init; }

    public required string Serial { get; init; }

    public string Model { get; init; } = "Storlane";

    public string Firmware { get; init; } = "0.1.0";

    public bool IsDiscovery { get; init; }

    public uint NamespaceCount { get; init; }

    /// <summary>MDTS: the largest transfer is 2^MDTS minimum pages (CAP.MPSMIN = 4 KiB).</summary>
    public byte MaxDataTransferExponent { get; init; }

    public ushort MaxCommands { get; init; }

    /// <summary>IOCCSZ in bytes (SQE plus in-capsule data); reported in 16-byte units.</summary>
    public int IoCommandCapsuleBytes { get; init; }

    public bool VolatileWriteCache { get; init; }

    /// <summary>Number of AERs the controller holds at once (AERL is this less one).</summary>
    public byte AsyncEventLimit { get; init; }

    public bool SupportsDeallocate { get; init; }
}

/// <summary>Identify Controller data structure (NVMe base 2.0, 5.17.2.1, figure 275), 4096 bytes.</summary>
public static class IdentifyControllerData
{
    public const int Length = 4096;

    /// <summary>KAS: Keep Alive granularity in 100 ms units (here 1 s).</summary>
    public const ushort KeepAliveGranularity = 10;

    public static void Write(Span<byte> data, ControllerIdentity id)
    {
        data = data[..Length];
        data.Clear();
        NvmeText.WriteSpacePadded(data.Slice(4, 20), id.Serial);
        NvmeText.WriteSpacePadded(data.Slice(24, 40), id.Model);
        NvmeText.WriteSpacePadded(data.Slice(64, 8), id.Firmware);
        if (!id.IsDiscovery)
        {
            // CMIC: bit 0 more than one port, bit 1 more than one controller, bit 3 ANA reporting.
            data[76] = 0b1011;
        }

        data[77] = id.MaxDataTransferExponent;
        BinaryPrimitives.WriteUInt16LittleEndian(data[78..], id.ControllerId);

        // VER 1.4.0: ANA and the descriptors of CNS 03h are 1.4 features.
        BinaryPrimitives.WriteUInt32LittleEndian(data[80..], 0x00010400);

        // OAES bit 8 namespace attribute notices, bit 11 ANA change notices (I/O controllers); bit 31
        // Discovery Log Page Change notices (discovery controllers, NVMe over Fabrics 1.1 figure 40).
        BinaryPrimitives.WriteUInt32LittleEndian(data[92..], id.IsDiscovery ? AsyncEvents.DiscoveryLogChangeNotices : AsyncEvents.NamespaceAttributeNotices | AsyncEvents.AnaChangeNotices);

        // CNTRLTYPE (byte 111): 1 I/O controller, 2 discovery controller.
        data[111] = id.IsDiscovery ? (byte)2 : (byte)1;
        data[258] = 3; // ACL: four Aborts (0's based).
        data[259] = (byte)(Math.Max(1, (int)id.AsyncEventLimit) - 1); // AERL, 0's based.

        // LPA bit 2: extended Get Log Page (NUMDU, LPOL/LPOU) is supported.
        data[261] = 1 << 2;
        data[262] = 0; // ELPE: one error log entry (0's based).
        BinaryPrimitives.WriteUInt16LittleEndian(data[266..], 343); // WCTEMP (K): a value is required.
        BinaryPrimitives.WriteUInt16LittleEndian(data[268..], 373); // CCTEMP (K).
        BinaryPrimitives.WriteUInt16LittleEndian(data[320..], KeepAliveGranularity);
        if (!id.IsDiscovery)
        {
            data[340] = 10; // ANATT: seconds a transition may take.
            data[341] = 0b0101_1111; // ANACAP: optimized, non-optimized, inaccessible, loss, change; ANAGRPID fixed.
            // One ANA group per namespace (ANAGRPID = NSID): as many groups as namespaces.
            BinaryPrimitives.WriteUInt32LittleEndian(data[342..], id.NamespaceCount); // ANAGRPMAX
            BinaryPrimitives.WriteUInt32LittleEndian(data[346..], id.NamespaceCount); // NANAGRPID
        }

        data[512] = 0x66; // SQES: 64-byte entries.
        data[513] = 0x44; // CQES: 16-byte entries.
        BinaryPrimitives.WriteUInt16LittleEndian(data[514..], id.MaxCommands);
        BinaryPrimitives.WriteUInt32LittleEndian(data[516..], id.NamespaceCount);

        // ONCS: bit 0 Compare, bit 2 Dataset Management, bit 3 Write Zeroes, bit 5 Reservations.
        BinaryPrimitives.WriteUInt16LittleEndian(data[520..], (ushort)(1 | (id.SupportsDeallocate ? 1 << 2 : 0) | (1 << 3) | (id.IsDiscovery ? 0 : 1 << 5)));
        data[525] = id.VolatileWriteCache ? (byte)1 : (byte)0;

        // MNAN: a host sizes its ANA log buffer by it (16 + 32 per group + 4 per namespace).
        BinaryPrimitives.WriteUInt32LittleEndian(data[540..], id.NamespaceCount);

        // SGLS: bit 0 SGLs supported (mandatory over fabrics), bit 20 offset addressing of in-capsule data.
        BinaryPrimitives.WriteUInt32LittleEndian(data[536..], 1u | (1u << 20));
        NvmeText.WriteNullTerminated(data.Slice(768, 256), id.SubsystemNqn);

        // Fabrics fields (NVMe over Fabrics 1.1, figure 28 bytes 1792..): IOCCSZ and IORCSZ in 16-byte
        // units, ICDOFF 0, FCATT 0 (dynamic controller model), MSDBD 1.
        BinaryPrimitives.WriteUInt32LittleEndian(data[1792..], (uint)(id.IoCommandCapsuleBytes / 16));
        BinaryPrimitives.WriteUInt32LittleEndian(data[1796..], CompletionEntry.Length / 16);
        data[1803] = 1;

        // Power state 0 (2048..2079): MP 25.00 W in 0.01 W units, so the table is not empty.
        BinaryPrimitives.WriteUInt16LittleEndian(data[2048..], 2500);
    }
}
