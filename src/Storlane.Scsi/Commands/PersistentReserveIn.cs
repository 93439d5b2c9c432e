using System.Buffers.Binary;
using System.Text;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const byte PrinReadKeys = 0x00;
    private const byte PrinReadReservation = 0x01;
    private const byte PrinReportCapabilities = 0x02;
    private const byte PrinReadFullStatus = 0x03;

    /// <summary>TransportID FORMAT CODE 01b with PROTOCOL IDENTIFIER 5h: an iSCSI initiator port ("name,i,0xISID"), SPC-4 7.6.4.6.</summary>
    private const byte IscsiInitiatorPortTransportId = 0x45;

    /// <summary>
    /// SPC-4 6.15 PERSISTENT RESERVE IN (5Eh): READ KEYS, READ RESERVATION, REPORT CAPABILITIES and
    /// READ FULL STATUS; other service actions are INVALID FIELD IN CDB (the command table has only
    /// these four). An SPC-2 reservation held through another I_T nexus makes it a RESERVATION
    /// CONFLICT (SPC-4 5.12.3).
    /// </summary>
    public static async ValueTask<ScsiResult> PersistentReserveIn(CommandContext context)
    {
        var unit = context.Unit;
        if (unit.Reservations.LegacyConflicts(context.Command.Nexus))
        {
            return ScsiResult.ReservationConflict;
        }

        var allocationLength = CdbReader.UInt16(context.Cdb, 7);
        var serviceAction = context.Cdb[1] & 0x1F;
        var state = await unit.Reservations.SnapshotAsync(context.CancellationToken).ConfigureAwait(false);
        var data = serviceAction switch
        {
            PrinReadKeys => ReadKeys(state),
            PrinReadReservation => ReadReservation(state),
            PrinReportCapabilities => ReportCapabilities(state, unit.Reservations.CanPersist),
            _ => ReadFullStatus(state),
        };
        return ParameterData.Return(context.Command, data, allocationLength);
    }

    /// <summary>6.15.2: PRGENERATION, ADDITIONAL LENGTH, then one 8-byte RESERVATION KEY per registered I_T nexus.</summary>
    private static byte[] ReadKeys(ReservationSnapshot state)
    {
        var data = new byte[8 + (8 * state.Registrants.Count)];
        BinaryPrimitives.WriteUInt32BigEndian(data, state.Generation);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), (uint)(data.Length - 8));
        for (var i = 0; i < state.Registrants.Count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(8 + (8 * i)), state.Registrants[i].Key);
        }

        return data;
    }

    /// <summary>
    /// 6.15.3: no reservation -> ADDITIONAL LENGTH 0; else a 16-byte descriptor with the holder's key
    /// ("If the persistent reservation is an all registrants type, the RESERVATION KEY field shall be
    /// set to zero"), SCOPE 0h (logical unit) and TYPE.
    /// </summary>
    private static byte[] ReadReservation(ReservationSnapshot state)
    {
        var data = new byte[state.IsReserved ? 24 : 8];
        BinaryPrimitives.WriteUInt32BigEndian(data, state.Generation);
        if (state.Holder is { } holder)
        {
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), 16);
            BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(8), state.Type.IsAllRegistrants() ? 0 : holder.Key);
            data[21] = (byte)state.Type;
        }

        return data;
    }

    /// <summary>
    /// 6.15.4 REPORT CAPABILITIES: LENGTH 8; CRH = 1 (RESERVE/RELEASE conflict with persistent
    /// reservations), SIP_C = 0 (no SPEC_I_PT), ATP_C = 1 (ALL_TG_PT), PTPL_C when the unit has a place
    /// to persist; TMV = 1 with ALLOW COMMANDS 000b; PTPL_A the current APTPL; all six types.
    /// </summary>
    private static byte[] ReportCapabilities(ReservationSnapshot state, bool canPersist)
    {
        var data = new byte[8];
        data[1] = 8;
        data[2] = (byte)(0x10 | 0x04 | (canPersist ? 0x01 : 0x00));
        data[3] = (byte)(0x80 | (state.Aptpl ? 0x01 : 0x00));
        data[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02; // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX
        data[5] = 0x01; // EX_AC_AR
        return data;
    }

    /// <summary>
    /// 6.15.5 READ FULL STATUS: per registration its key, ALL_TG_PT, R_HOLDER, SCOPE/TYPE when holder,
    /// RELATIVE TARGET PORT IDENTIFIER and the initiator's TransportID (iSCSI format 01b, the initiator
    /// port name null-terminated and padded to a multiple of four bytes).
    /// </summary>
    private static byte[] ReadFullStatus(ReservationSnapshot state)
    {
        var length = 8;
        foreach (var registrant in state.Registrants)
        {
            length += 24 + TransportIdLength(registrant);
        }

        var data = new byte[length];
        BinaryPrimitives.WriteUInt32BigEndian(data, state.Generation);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), (uint)(length - 8));
        var offset = 8;
        foreach (var registrant in state.Registrants)
        {
            var descriptor = data.AsSpan(offset);
            var holder = state.IsHolder(registrant);
            BinaryPrimitives.WriteUInt64BigEndian(descriptor, registrant.Key);
            descriptor[12] = (byte)((registrant.AllTargetPorts ? 0x02 : 0x00) | (holder ? 0x01 : 0x00));
            descriptor[13] = holder ? (byte)state.Type : (byte)0;
            BinaryPrimitives.WriteUInt16BigEndian(descriptor[18..], registrant.RelativeTargetPortId);
            var transportIdLength = TransportIdLength(registrant);
            BinaryPrimitives.WriteUInt32BigEndian(descriptor[20..], (uint)transportIdLength);
            var transportId = descriptor.Slice(24, transportIdLength);
            transportId[0] = IscsiInitiatorPortTransportId;
            BinaryPrimitives.WriteUInt16BigEndian(transportId[2..], (ushort)(transportIdLength - 4));
            Encoding.UTF8.GetBytes(registrant.InitiatorPortName, transportId[4..]);
            offset += 24 + transportIdLength;
        }

        return data;
    }

    private static int TransportIdLength(Registrant registrant) =>
        4 + ((Encoding.UTF8.GetByteCount(registrant.InitiatorPortName) + 1 + 3) & ~3);
}
