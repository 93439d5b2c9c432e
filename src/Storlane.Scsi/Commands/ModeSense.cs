using System.Buffers.Binary;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>SPC-4 6.11 MODE SENSE(6): DBD in byte 1, PC and PAGE CODE in byte 2, SUBPAGE CODE, ALLOCATION LENGTH (8 bits).</summary>
    public static ValueTask<ScsiResult> ModeSense6(CommandContext context)
    {
        var cdb = context.Cdb;
        return new(ModeSense(context, tenByte: false, disableBlockDescriptors: (cdb[1] & 0x08) != 0, longLba: false, cdb[2], cdb[3], cdb[4]));
    }

    /// <summary>SPC-4 6.12 MODE SENSE(10): adds LLBAA (byte 1 bit 4) and a 16-bit ALLOCATION LENGTH.</summary>
    public static ValueTask<ScsiResult> ModeSense10(CommandContext context)
    {
        var cdb = context.Cdb;
        return new(ModeSense(context, tenByte: true, disableBlockDescriptors: (cdb[1] & 0x08) != 0, longLba: (cdb[1] & 0x10) != 0, cdb[2], cdb[3], CdbReader.UInt16(cdb, 7)));
    }

    private static ScsiResult ModeSense(CommandContext context, bool tenByte, bool disableBlockDescriptors, bool longLba, byte pageControlAndCode, byte subpageCode, int allocationLength)
    {
        var unit = context.Unit;
        var pageControl = (PageControl)(pageControlAndCode >> 6);
        var pageCode = (byte)(pageControlAndCode & 0x3F);

        // SPC-4 6.11.1: "If the PC field is set to 11b (saved values) and saved values are not
        // implemented, ... ILLEGAL REQUEST ... SAVING PARAMETERS NOT SUPPORTED".
        if (pageControl == PageControl.Saved)
        {
            ScsiErrors.SavingParametersNotSupported(2, 7);
        }

        if (pageCode != ModePages.AllPages && !ModePages.IsSupported(pageCode))
        {
            ScsiErrors.InvalidFieldInCdb(2, 5);
        }

        // We have no subpages: subpage 00h is the page itself, FFh "all subpages" adds nothing.
        if (subpageCode is not (0x00 or ModePages.AllSubpages))
        {
            ScsiErrors.InvalidFieldInCdb(3);
        }

        Span<byte> data = stackalloc byte[256];
        data.Clear();
        var headerLength = tenByte ? 8 : 4;
        var descriptorLength = disableBlockDescriptors ? 0 : longLba ? 16 : 8;
        var offset = headerLength;
        if (descriptorLength == 8)
        {
            // SBC-3 6.4.2 short LBA mode parameter block descriptor: "If the number of logical blocks
            // on the medium exceeds the maximum value ... the device server shall return FFFFFFFFh".
            var blocks = (ulong)unit.BlockCount;
            BinaryPrimitives.WriteUInt32BigEndian(data[offset..], blocks > uint.MaxValue ? uint.MaxValue : (uint)blocks);
            data[offset + 5] = (byte)(unit.BlockSize >> 16);
            data[offset + 6] = (byte)(unit.BlockSize >> 8);
            data[offset + 7] = (byte)unit.BlockSize;
        }
        else if (descriptorLength == 16)
        {
            // SBC-3 6.4.2.3 long LBA mode parameter block descriptor.
            BinaryPrimitives.WriteUInt64BigEndian(data[offset..], (ulong)unit.BlockCount);
            BinaryPrimitives.WriteUInt32BigEndian(data[(offset + 12)..], (uint)unit.BlockSize);
        }

        offset += descriptorLength;
        if (pageCode == ModePages.AllPages)
        {
            foreach (var supported in ModePages.Supported)
            {
                offset += ModePages.Write(data[offset..], supported, unit, pageControl);
            }
        }
        else
        {
            offset += ModePages.Write(data[offset..], pageCode, unit, pageControl);
        }

        // SBC-3 6.4.1: DEVICE-SPECIFIC PARAMETER = WP (bit 7) | DPOFUA (bit 4, DPO and FUA supported).
        var deviceSpecific = (byte)((unit.IsWriteProtected ? 0x80 : 0x00) | 0x10);
        if (tenByte)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)(offset - 2)); // MODE DATA LENGTH excludes itself
            data[3] = deviceSpecific;
            data[4] = descriptorLength == 16 ? (byte)0x01 : (byte)0x00; // LONGLBA
            BinaryPrimitives.WriteUInt16BigEndian(data[6..], (ushort)descriptorLength);
        }
        else
        {
            data[0] = (byte)(offset - 1);
            data[2] = deviceSpecific;
            data[3] = (byte)descriptorLength;
        }

        return ParameterData.Return(context.Command, data[..offset], allocationLength);
    }
}
