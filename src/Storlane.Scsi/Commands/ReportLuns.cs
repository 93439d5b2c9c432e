using System.Buffers.Binary;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const int LunEntryLength = 8;

    /// <summary>
    /// SPC-4 6.33 REPORT LUNS, answered for any LUN including ones with no logical unit. SELECT REPORT
    /// 00h lists the logical units, 01h the well known logical units (we have none: an empty list), 02h
    /// all of them; any other value is INVALID FIELD IN CDB. The allocation length follows SPC-4
    /// 4.2.5.6 like every other command: a short one truncates the list (SPC-3's "less than 16 bytes is
    /// an error" was dropped in SPC-4). SAM-5 5.14: REPORT LUNS reports no unit attention and clears
    /// REPORTED LUNS DATA HAS CHANGED for the nexus.
    /// </summary>
    public static ValueTask<ScsiResult> ReportLuns(CommandContext context)
    {
        var cdb = context.Cdb;
        var selectReport = cdb[2];
        var allocationLength = (int)Math.Min(CdbReader.UInt32(cdb, 6), int.MaxValue);
        if (selectReport > 0x02)
        {
            ScsiErrors.InvalidFieldInCdb(2);
        }

        context.Target.ClearReportedLunsChanged(context.Command.Nexus);
        var units = selectReport == 0x01 ? [] : context.Target.LogicalUnits;
        var length = 8 + (units.Count * LunEntryLength);
        byte[]? rented = null;
        var data = length <= ParameterData.StackLimit
            ? stackalloc byte[ParameterData.StackLimit]
            : rented = ParameterData.Rent(length);
        try
        {
            data = data[..length];
            data.Clear();
            BinaryPrimitives.WriteUInt32BigEndian(data, (uint)(units.Count * LunEntryLength)); // LUN LIST LENGTH
            for (var i = 0; i < units.Count; i++)
            {
                ScsiLun.Encode(units[i].Lun, data[(8 + (i * LunEntryLength))..]);
            }

            return new(ParameterData.Return(context.Command, data, allocationLength));
        }
        finally
        {
            if (rented is not null)
            {
                ParameterData.Return(rented);
            }
        }
    }
}
