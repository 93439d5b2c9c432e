using System.Buffers.Binary;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SPC-4 6.37 REPORT TARGET PORT GROUPS (MAINTENANCE IN A3h, service action 0Ah), needed because
    /// standard INQUIRY reports TPGS = 01b (implicit ALUA). Every target port group is in the
    /// active/optimized state and supports only that (AO_SUP = 1): all portals reach the same data.
    /// PARAMETER DATA FORMAT 000b is the length-only header, 001b the extended header (FORMAT TYPE
    /// 001b, IMPLICIT TRANSITION TIME 0); other formats are outside the usage mask.
    /// </summary>
    public static ValueTask<ScsiResult> ReportTargetPortGroups(CommandContext context)
    {
        var cdb = context.Cdb;
        var extended = (cdb[1] >> 5) == 0x1;
        var allocationLength = (int)Math.Min(CdbReader.UInt32(cdb, 6), int.MaxValue);
        var groups = context.Target.TargetPortGroups();
        var length = extended ? 8 : 4;
        foreach (var ports in groups.Values)
        {
            length += 8 + (4 * ports.Count);
        }

        var rented = ParameterData.Rent(length);
        try
        {
            var data = rented.AsSpan(0, length);
            BinaryPrimitives.WriteUInt32BigEndian(data, (uint)(length - 4)); // RETURN DATA LENGTH
            var offset = 4;
            if (extended)
            {
                data[4] = 0x10; // FORMAT TYPE 001b
                offset = 8;
            }

            foreach (var (group, ports) in groups)
            {
                data[offset] = 0x00; // PREF = 0, ASYMMETRIC ACCESS STATE 0h: active/optimized
                data[offset + 1] = 0x01; // AO_SUP
                BinaryPrimitives.WriteUInt16BigEndian(data[(offset + 2)..], group);
                data[offset + 7] = (byte)ports.Count; // TARGET PORT COUNT
                offset += 8;
                foreach (var port in ports)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(data[(offset + 2)..], port);
                    offset += 4;
                }
            }

            return new(ParameterData.Return(context.Command, data, allocationLength));
        }
        finally
        {
            ParameterData.Return(rented);
        }
    }
}
