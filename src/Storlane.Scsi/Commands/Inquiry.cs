using System.Buffers.Binary;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>Standard INQUIRY data length: 96 bytes, ADDITIONAL LENGTH 91 (room for the version descriptors).</summary>
    internal const int StandardInquiryLength = 96;

    /// <summary>Version descriptors (SPC-4 table 146): SAM-5, iSCSI, SPC-4, SBC-3, no version claimed.</summary>
    private static readonly ushort[] VersionDescriptors = [0x00A0, 0x0960, 0x0460, 0x04C0];

    private static readonly byte[] DefaultVendorBytes = LogicalUnitIdentity.PaddedAscii(LogicalUnitOptions.DefaultVendor, 8, "vendor");
    private static readonly byte[] DefaultProductBytes = LogicalUnitIdentity.PaddedAscii(LogicalUnitOptions.DefaultProduct, 16, "product");
    private static readonly byte[] DefaultRevisionBytes = LogicalUnitIdentity.PaddedAscii(LogicalUnitOptions.DefaultRevision, 4, "revision");

    /// <summary>
    /// SPC-4 6.6 INQUIRY. CMDDT (obsolete) is outside the usage mask, so it is refused before we get
    /// here. "If the EVPD bit is set to zero and the PAGE CODE field is not set to zero, the device
    /// server shall terminate the command with CHECK CONDITION status, with the sense key set to
    /// ILLEGAL REQUEST, and the additional sense code set to INVALID FIELD IN CDB" (6.6.1).
    /// </summary>
    public static ValueTask<ScsiResult> Inquiry(CommandContext context)
    {
        var cdb = context.Cdb;
        var evpd = (cdb[1] & 0x01) != 0;
        var pageCode = cdb[2];
        var allocationLength = CdbReader.UInt16(cdb, 3);
        if (!evpd && pageCode != 0)
        {
            ScsiErrors.InvalidFieldInCdb(2);
        }

        Span<byte> buffer = stackalloc byte[ParameterData.StackLimit];
        buffer.Clear();
        int length;
        if (!evpd)
        {
            length = WriteStandardInquiry(buffer, context.UnitOrNull);
        }
        else
        {
            // Vital product data describes a logical unit; a missing one has none.
            if (context.UnitOrNull is null)
            {
                ScsiErrors.LogicalUnitNotSupported();
            }

            length = WriteVpdPage(buffer, pageCode, context);
        }

        return new(ParameterData.Return(context.Command, buffer[..length], allocationLength));
    }

    /// <summary>
    /// SPC-4 6.6.2 standard INQUIRY data. For a LUN without a logical unit: "PERIPHERAL QUALIFIER
    /// 011b: the device server is not capable of supporting a peripheral device on this logical
    /// unit. For this peripheral qualifier the peripheral device type shall be set to 1Fh".
    /// </summary>
    private static int WriteStandardInquiry(Span<byte> data, LogicalUnit? unit)
    {
        data[0] = unit is null ? (byte)0x7F : (byte)0x00; // PQ 000b, direct access block device
        data[1] = unit is { IsRemovable: true } ? (byte)0x80 : (byte)0x00; // RMB: removable medium (LogicalUnitOptions.Removable)
        data[2] = 0x06; // VERSION: SPC-4
        data[3] = 0x12; // HISUP = 1, RESPONSE DATA FORMAT = 2
        data[4] = StandardInquiryLength - 5; // ADDITIONAL LENGTH
        data[5] = 0x38; // TPGS = 11b: implicit and explicit ALUA (REPORT / SET TARGET PORT GROUPS); 3PC = 1: EXTENDED COPY (LID1)
        data[6] = 0x00;
        data[7] = 0x02; // CMDQUE = 1: full task management model
        (unit?.VendorField ?? DefaultVendorBytes).CopyTo(data[8..]);
        (unit?.ProductField ?? DefaultProductBytes).CopyTo(data[16..]);
        (unit?.RevisionField ?? DefaultRevisionBytes).CopyTo(data[32..]);
        for (var i = 0; i < VersionDescriptors.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data[(58 + (2 * i))..], VersionDescriptors[i]);
        }

        return StandardInquiryLength;
    }
}
