using System.Buffers.Binary;
using System.Text;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>VPD pages we return, ascending as SPC-4 7.8.15 requires of the Supported VPD Pages page.</summary>
    internal static readonly byte[] SupportedVpdPages = [0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2];

    // SPC-4 7.8.6.1 designation descriptor fields.
    private const byte ProtocolIscsi = 0x5;
    private const byte CodeSetBinary = 0x1;
    private const byte CodeSetAscii = 0x2;
    private const byte CodeSetUtf8 = 0x3;
    private const byte AssociationLogicalUnit = 0x0;
    private const byte AssociationTargetPort = 0x1;
    private const byte AssociationTargetDevice = 0x2;
    private const byte DesignatorT10VendorId = 0x1;
    private const byte DesignatorNaa = 0x3;
    private const byte DesignatorRelativeTargetPort = 0x4;
    private const byte DesignatorTargetPortGroup = 0x5;
    private const byte DesignatorScsiName = 0x8;

    /// <summary>"If the device server does not implement the requested VPD page, ... INVALID FIELD IN CDB" (SPC-4 6.6.1).</summary>
    private static int WriteVpdPage(Span<byte> data, byte pageCode, CommandContext context)
    {
        var unit = context.Unit;
        data[0] = 0x00; // PERIPHERAL QUALIFIER 000b, PERIPHERAL DEVICE TYPE 00h
        data[1] = pageCode;
        var bodyLength = pageCode switch
        {
            0x00 => WriteSupportedPages(data[4..]),
            0x80 => WriteUnitSerialNumber(data[4..], unit),
            0x83 => WriteDeviceIdentification(data[4..], unit, context.Command.Nexus, context.Target.TargetName),
            0xB0 => WriteBlockLimits(data[4..], unit),
            0xB1 => WriteBlockDeviceCharacteristics(data[4..], unit),
            0xB2 => WriteLogicalBlockProvisioning(data[4..], unit),
            _ => -1,
        };
        if (bodyLength < 0)
        {
            ScsiErrors.InvalidFieldInCdb(2);
        }

        BinaryPrimitives.WriteUInt16BigEndian(data[2..], (ushort)bodyLength);
        return 4 + bodyLength;
    }

    /// <summary>SPC-4 7.8.15 Supported VPD Pages.</summary>
    private static int WriteSupportedPages(Span<byte> body)
    {
        SupportedVpdPages.CopyTo(body);
        return SupportedVpdPages.Length;
    }

    /// <summary>SPC-4 7.8.16 Unit Serial Number: PRODUCT SERIAL NUMBER in ASCII.</summary>
    private static int WriteUnitSerialNumber(Span<byte> body, LogicalUnit unit)
    {
        unit.SerialField.CopyTo(body);
        return unit.SerialField.Length;
    }

    /// <summary>
    /// SPC-4 7.8.6 Device Identification. Logical unit designators first (NAA, T10 vendor ID), then
    /// the target device (SCSI name string = the iSCSI target name), then the target port the command
    /// came through: its SCSI name string "TargetName,t,0xTPGT" (the iSCSI target port name; SPC-4 7.8.6.11), its
    /// relative target port identifier and its target port group. Target port designators carry
    /// PROTOCOL IDENTIFIER 5h (iSCSI) with PIV = 1.
    /// </summary>
    private static int WriteDeviceIdentification(Span<byte> body, LogicalUnit unit, ItNexus nexus, string targetName)
    {
        var offset = 0;

        // NAA (7.8.6.6): binary, 8 bytes for NAA 2h/3h/5h.
        var naa = Designator(body, ref offset, 0, CodeSetBinary, AssociationLogicalUnit, DesignatorNaa, piv: false, 8);
        BinaryPrimitives.WriteUInt64BigEndian(naa, unit.NaaIdentifier);

        // T10 vendor ID based (7.8.6.4): T10 VENDOR IDENTIFICATION then a vendor specific part (the serial).
        var t10 = Designator(body, ref offset, 0, CodeSetAscii, AssociationLogicalUnit, DesignatorT10VendorId, piv: false, 8 + unit.SerialField.Length);
        unit.VendorField.CopyTo(t10);
        unit.SerialField.CopyTo(t10[8..]);

        // SCSI name string of the target device (7.8.6.11): UTF-8, null terminated, padded to a multiple of 4.
        WriteScsiName(body, ref offset, AssociationTargetDevice, targetName);

        // SCSI name string of the target port.
        WriteScsiName(body, ref offset, AssociationTargetPort, nexus.TargetPortName);

        // Relative target port (7.8.6.7): 2 reserved bytes then the 16-bit identifier.
        var relative = Designator(body, ref offset, ProtocolIscsi, CodeSetBinary, AssociationTargetPort, DesignatorRelativeTargetPort, piv: true, 4);
        BinaryPrimitives.WriteUInt16BigEndian(relative[2..], nexus.RelativeTargetPortId);

        // Target port group (7.8.6.8): 2 reserved bytes then the 16-bit group.
        var group = Designator(body, ref offset, ProtocolIscsi, CodeSetBinary, AssociationTargetPort, DesignatorTargetPortGroup, piv: true, 4);
        BinaryPrimitives.WriteUInt16BigEndian(group[2..], nexus.TargetPortGroup);
        return offset;
    }

    private static void WriteScsiName(Span<byte> body, ref int offset, byte association, string name)
    {
        // SPC-4 7.8.6.11: at most 256 bytes including the terminating null; iSCSI names are at most 223.
        var byteCount = Math.Min(Encoding.UTF8.GetByteCount(name), 251);
        var length = (byteCount + 4) & ~3;
        var designator = Designator(body, ref offset, ProtocolIscsi, CodeSetUtf8, association, DesignatorScsiName, piv: true, length);
        Encoding.UTF8.GetBytes(name.AsSpan(), designator[..byteCount]);
    }

    /// <summary>Writes a designation descriptor header and returns the zeroed DESIGNATOR field.</summary>
    private static Span<byte> Designator(Span<byte> body, ref int offset, byte protocol, byte codeSet, byte association, byte type, bool piv, int length)
    {
        var descriptor = body.Slice(offset, 4 + length);
        descriptor.Clear();
        descriptor[0] = (byte)((protocol << 4) | codeSet);
        descriptor[1] = (byte)((piv ? 0x80 : 0) | (association << 4) | type);
        descriptor[3] = (byte)length;
        offset += 4 + length;
        return descriptor[4..];
    }

    /// <summary>
    /// SBC-3 6.5.3 Block Limits (page length 3Ch). OPTIMAL TRANSFER LENGTH GRANULARITY is the number
    /// of logical blocks per physical block; the unmap fields are zero unless UNMAP is supported
    /// ("If the device server does not implement the UNMAP command, then ... set to zero").
    /// </summary>
    private static int WriteBlockLimits(Span<byte> body, LogicalUnit unit)
    {
        var page = body[..0x3C];
        page.Clear();
        page[0] = 0x00; // WSNZ = 0: WRITE SAME with NUMBER OF LOGICAL BLOCKS 0 writes to the end of the medium
        page[1] = unit.CompareAndWriteLimit; // MAXIMUM COMPARE AND WRITE LENGTH
        var blocksPerPhysical = (ushort)(1 << unit.LogicalPerPhysicalExponent);
        BinaryPrimitives.WriteUInt16BigEndian(page[2..], blocksPerPhysical);
        BinaryPrimitives.WriteUInt32BigEndian(page[4..], unit.MaxTransferBlocks);
        // OPTIMAL TRANSFER LENGTH (page[8..12]) stays 0, "not reported": any size is as good as another.
        if (unit.SupportsUnmap)
        {
            BinaryPrimitives.WriteUInt32BigEndian(page[16..], unit.MaxUnmapLbaCount);
            BinaryPrimitives.WriteUInt32BigEndian(page[20..], unit.MaxUnmapDescriptorCount);
            BinaryPrimitives.WriteUInt32BigEndian(page[24..], blocksPerPhysical); // OPTIMAL UNMAP GRANULARITY
        }

        BinaryPrimitives.WriteUInt64BigEndian(page[32..], unit.MaxWriteSameBlocks);

        // SBC-4 6.6.4: MAXIMUM ATOMIC TRANSFER LENGTH (bytes 44..47) for WRITE ATOMIC(16); ATOMIC
        // ALIGNMENT, ATOMIC TRANSFER LENGTH GRANULARITY and the atomic boundary fields stay zero (no
        // alignment or granularity constraint, no atomic boundaries).
        BinaryPrimitives.WriteUInt32BigEndian(page[40..], unit.MaxAtomicTransferBlocks);
        return 0x3C;
    }

    /// <summary>
    /// SBC-3 6.5.2 Block Device Characteristics: MEDIUM ROTATION RATE 0001h ("non-rotating medium
    /// (e.g., solid state)"), NOMINAL FORM FACTOR 0h (not reported: there is no physical drive).
    /// WABEREQ (byte 7 bits 7..6) 01b where SANITIZE BLOCK ERASE runs (units with UNMAP): a read of a
    /// block erased and not yet written is GOOD (it returns zeros, LBPRZ = 1). WACEREQ (bits 5..4)
    /// 01b on encrypted units, where CRYPTOGRAPHIC ERASE runs: a read after it is GOOD and returns
    /// noise (the old ciphertext under the new key); 00b elsewhere ("shall be 00b" without it).
    /// </summary>
    private static int WriteBlockDeviceCharacteristics(Span<byte> body, LogicalUnit unit)
    {
        var page = body[..0x3C];
        page.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(page, 0x0001);
        if (unit.SupportsUnmap)
        {
            page[3] = 0x40; // WABEREQ = 01b
        }

        if (unit.SupportsCryptoErase)
        {
            page[3] |= 0x10; // WACEREQ = 01b
        }

        return 0x3C;
    }

    /// <summary>
    /// SBC-3 6.5.4 Logical Block Provisioning. With UNMAP: LBPU, LBPWS, LBPWS10 and LBPRZ (unmapped
    /// blocks read as zeros) set, ANC_SUP = 0, PROVISIONING TYPE 010b (thin). Without: all zero and
    /// provisioning type 000b (fully provisioned).
    /// </summary>
    private static int WriteLogicalBlockProvisioning(Span<byte> body, LogicalUnit unit)
    {
        var page = body[..4];
        page.Clear();
        if (unit.SupportsUnmap)
        {
            page[1] = 0x80 | 0x40 | 0x20 | 0x04;
            page[2] = 0x02;
        }

        return 4;
    }
}
