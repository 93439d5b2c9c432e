using System.Buffers.Binary;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>U_SUP, S_SUP, AN_SUP, AO_SUP.</summary>
    private const byte SupportedAccessStates = 0x0F;

    private const int StpgHeaderLength = 4;
    private const int StpgDescriptorLength = 4;

    /// <summary>
    /// SPC-4 6.43 SET TARGET PORT GROUPS (MAINTENANCE OUT A4h/0Ah), explicit ALUA. The parameter list is
    /// four reserved bytes, then set target port group descriptors (ASYMMETRIC ACCESS STATE in byte 0
    /// bits 3..0, TARGET PORT GROUP in bytes 2..3). A list that does not hold whole descriptors is
    /// PARAMETER LIST LENGTH ERROR; a state other than active/optimized, active/non-optimized, standby
    /// or unavailable, or a group this target does not have, is INVALID FIELD IN PARAMETER LIST, and
    /// then nothing changes. The new states hold for every logical unit of the target (all of them are
    /// reached through the same portal groups); every other I_T nexus gets ASYMMETRIC ACCESS STATE
    /// CHANGED (SPC-4 5.16.2.6). PARAMETER LIST LENGTH 0 is not an error.
    /// </summary>
    public static ValueTask<ScsiResult> SetTargetPortGroups(CommandContext context)
    {
        var listLength = CdbReader.UInt32(context.Cdb, 6);
        if (listLength == 0)
        {
            return new(ScsiResult.Good());
        }

        var data = context.Command.DataOut.Span;
        if (listLength < StpgHeaderLength || (listLength - StpgHeaderLength) % StpgDescriptorLength != 0 || data.Length < listLength)
        {
            ScsiErrors.ParameterListLengthError();
        }

        var registry = context.Target.TargetPorts;
        var changes = new List<(ushort Group, TargetPortGroupState State)>();
        for (var offset = StpgHeaderLength; offset < listLength; offset += StpgDescriptorLength)
        {
            var state = data[offset] & 0x0F;
            if (state > (int)TargetPortGroupState.Unavailable)
            {
                ScsiErrors.InvalidFieldInParameterList(offset, 3);
            }

            var group = CdbReader.UInt16(data, offset + 2);
            if (!registry.HasGroup(group))
            {
                ScsiErrors.InvalidFieldInParameterList(offset + 2);
            }

            changes.Add((group, (TargetPortGroupState)state));
        }

        context.Target.SetTargetPortGroupStatesExplicitly(changes, context.Command.Nexus);
        return new(ScsiResult.Good(dataOutLength: (int)listLength));
    }

    /// <summary>
    /// SPC-4 6.37 REPORT TARGET PORT GROUPS (MAINTENANCE IN A3h, service action 0Ah), needed because
    /// standard INQUIRY reports TPGS = 11b (implicit and explicit ALUA). Each descriptor: PREF = 0 and
    /// the group's ASYMMETRIC ACCESS STATE (byte 0), the supported states (byte 1: AO_SUP, AN_SUP,
    /// S_SUP, U_SUP; no transitioning, offline or LBA dependent states: transitions are immediate),
    /// the TARGET PORT GROUP, STATUS CODE (byte 5: 01h altered by SET TARGET PORT GROUPS, 02h altered
    /// by the target), TARGET PORT COUNT and the relative target port identifiers. A group nobody set is
    /// active/optimized: every portal reaches the same data. PARAMETER DATA FORMAT 000b is the
    /// length-only header, 001b the extended header (FORMAT TYPE 001b, IMPLICIT TRANSITION TIME 0);
    /// other formats are outside the usage mask.
    /// </summary>
    public static ValueTask<ScsiResult> ReportTargetPortGroups(CommandContext context)
    {
        var cdb = context.Cdb;
        var extended = (cdb[1] >> 5) == 0x1;
        var allocationLength = (int)Math.Min(CdbReader.UInt32(cdb, 6), int.MaxValue);
        var groups = context.Target.TargetPortGroups();
        var registry = context.Target.TargetPorts;
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
                data[offset] = (byte)context.Target.StateFor(context.UnitOrNull, group); // PREF = 0, ASYMMETRIC ACCESS STATE (unavailable for an offline unit)
                data[offset + 1] = SupportedAccessStates;
                BinaryPrimitives.WriteUInt16BigEndian(data[(offset + 2)..], group);
                data[offset + 5] = registry.StatusCode(group);
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
