using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>SPC-4 6.9 MODE SELECT(6): PF in byte 1 (SP is outside the usage mask: no saved pages), PARAMETER LIST LENGTH in byte 4.</summary>
    public static ValueTask<ScsiResult> ModeSelect6(CommandContext context) =>
        ModeSelect(context, tenByte: false, context.Cdb[4]);

    /// <summary>SPC-4 6.10 MODE SELECT(10): PARAMETER LIST LENGTH in bytes 7..8.</summary>
    public static ValueTask<ScsiResult> ModeSelect10(CommandContext context) =>
        ModeSelect(context, tenByte: true, CdbReader.UInt16(context.Cdb, 7));

    /// <summary>
    /// MODE SELECT: only SWP of the Control page is changeable (MODE SENSE reports exactly that bit in
    /// the changeable values), so a parameter list is accepted when it restates the current values
    /// except for changeable bits, and refused with INVALID FIELD IN PARAMETER LIST, pointing at the
    /// first bad bit, when it tries to change anything else (SPC-4 6.9: "If the application client
    /// sends a value for a mode parameter that is outside the range supported by the logical unit ...
    /// INVALID FIELD IN PARAMETER LIST"). Nothing is applied unless the whole list is valid. A block
    /// descriptor may restate the capacity (or give 0 blocks) and must give the current logical block
    /// length. A change raises MODE PARAMETERS CHANGED (2Ah/01h) for every other I_T nexus (SPC-4
    /// 7.5.1: "the device server shall establish a unit attention condition ... for the initiator port
    /// associated with every I_T nexus except the I_T nexus on which the MODE SELECT command was
    /// received"). SWP is the logical unit's, so it is stored in the unit's shared state: with several
    /// gateways the others apply it, and raise the unit attention for their nexuses, before this completes.
    /// </summary>
    private static ValueTask<ScsiResult> ModeSelect(CommandContext context, bool tenByte, int parameterListLength)
    {
        // "A PARAMETER LIST LENGTH field set to zero specifies that no data shall be transferred. This
        // shall not be considered an error."
        if (parameterListLength == 0)
        {
            return new(ScsiResult.Good());
        }

        var softwareWriteProtect = CheckParameterList(context, tenByte, parameterListLength);
        return softwareWriteProtect == context.Unit.SoftwareWriteProtect
            ? new(ScsiResult.Good(dataOutLength: parameterListLength))
            : ChangeSoftwareWriteProtectAsync(context, softwareWriteProtect, parameterListLength);
    }

    private static async ValueTask<ScsiResult> ChangeSoftwareWriteProtectAsync(CommandContext context, bool softwareWriteProtect, int parameterListLength)
    {
        if (await context.Unit.Reservations.SetSoftwareWriteProtectAsync(softwareWriteProtect, context.CancellationToken).ConfigureAwait(false))
        {
            context.Target.EstablishForOtherNexuses(context.Unit, AdditionalSense.ModeParametersChanged, context.Command.Nexus);
        }

        return ScsiResult.Good(dataOutLength: parameterListLength);
    }

    /// <summary>Validates the whole parameter list (nothing is applied unless all of it is valid); returns the SWP it asks for.</summary>
    private static bool CheckParameterList(CommandContext context, bool tenByte, int parameterListLength)
    {
        var unit = context.Unit;
        var data = context.Command.DataOut.Span;
        var headerLength = tenByte ? 8 : 4;
        if (data.Length < parameterListLength || parameterListLength < headerLength)
        {
            ScsiErrors.ParameterListLengthError();
        }

        data = data[..parameterListLength];
        int descriptorLength;
        if (tenByte)
        {
            if (data[2] != 0)
            {
                ScsiErrors.InvalidFieldInParameterList(2); // MEDIUM TYPE
            }

            var longLba = (data[4] & 0x01) != 0;
            descriptorLength = CdbReader.UInt16(data, 6);
            if (descriptorLength != 0 && descriptorLength != (longLba ? 16 : 8))
            {
                ScsiErrors.InvalidFieldInParameterList(6);
            }
        }
        else
        {
            if (data[1] != 0)
            {
                ScsiErrors.InvalidFieldInParameterList(1); // MEDIUM TYPE
            }

            descriptorLength = data[3];
            if (descriptorLength is not (0 or 8))
            {
                ScsiErrors.InvalidFieldInParameterList(3);
            }
        }

        if (headerLength + descriptorLength > data.Length)
        {
            ScsiErrors.ParameterListLengthError();
        }

        CheckBlockDescriptor(data.Slice(headerLength, descriptorLength), headerLength, unit);
        return CheckModePages(data, headerLength + descriptorLength, unit);
    }

    private static void CheckBlockDescriptor(ReadOnlySpan<byte> descriptor, int offset, LogicalUnit unit)
    {
        if (descriptor.Length == 8)
        {
            var blocks = CdbReader.UInt32(descriptor, 0);
            var current = (ulong)unit.BlockCount > uint.MaxValue ? uint.MaxValue : (uint)unit.BlockCount;
            if (blocks != 0 && blocks != current)
            {
                ScsiErrors.InvalidFieldInParameterList(offset);
            }

            if (CdbReader.UInt24(descriptor, 5) != (uint)unit.BlockSize)
            {
                ScsiErrors.InvalidFieldInParameterList(offset + 5);
            }
        }
        else if (descriptor.Length == 16)
        {
            var blocks = CdbReader.UInt64(descriptor, 0);
            if (blocks != 0 && blocks != (ulong)unit.BlockCount)
            {
                ScsiErrors.InvalidFieldInParameterList(offset);
            }

            if (CdbReader.UInt32(descriptor, 12) != (uint)unit.BlockSize)
            {
                ScsiErrors.InvalidFieldInParameterList(offset + 12);
            }
        }
    }

    /// <summary>Validates every page; returns the SWP value the list asks for (the current one when it has no Control page).</summary>
    private static bool CheckModePages(ReadOnlySpan<byte> data, int offset, LogicalUnit unit)
    {
        Span<byte> current = stackalloc byte[64];
        Span<byte> changeable = stackalloc byte[64];
        var softwareWriteProtect = unit.SoftwareWriteProtect;
        while (offset < data.Length)
        {
            if (offset + 2 > data.Length)
            {
                ScsiErrors.ParameterListLengthError();
            }

            // SPC-4 7.5.7: PS is reserved in MODE SELECT; SPF = 1 would be a subpage, which we have none of.
            var pageCode = (byte)(data[offset] & 0x3F);
            if ((data[offset] & 0x40) != 0 || !ModePages.IsSupported(pageCode))
            {
                ScsiErrors.InvalidFieldInParameterList(offset, 5);
            }

            var length = data[offset + 1] + 2;
            if (offset + length > data.Length)
            {
                ScsiErrors.ParameterListLengthError();
            }

            var currentLength = ModePages.Write(current, pageCode, unit, PageControl.Current);
            if (length != currentLength)
            {
                ScsiErrors.InvalidFieldInParameterList(offset + 1);
            }

            ModePages.Write(changeable, pageCode, unit, PageControl.Changeable);
            for (var i = 2; i < length; i++)
            {
                var changed = (data[offset + i] ^ current[i]) & ~changeable[i];
                if (changed != 0)
                {
                    ScsiErrors.InvalidFieldInParameterList(offset + i, CdbReader.HighestBit(changed));
                }
            }

            if (pageCode == ModePages.Control)
            {
                softwareWriteProtect = (data[offset + ModePages.SoftwareWriteProtectByte] & ModePages.SoftwareWriteProtectBit) != 0;
            }

            offset += length;
        }

        return softwareWriteProtect;
    }
}
