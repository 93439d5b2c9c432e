using System.Text;
using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const int ProutParameterListLength = 24;

    private const byte ProutRegister = 0x00;
    private const byte ProutReserve = 0x01;
    private const byte ProutRelease = 0x02;
    private const byte ProutClear = 0x03;
    private const byte ProutPreempt = 0x04;
    private const byte ProutPreemptAndAbort = 0x05;
    private const byte ProutRegisterAndIgnore = 0x06;
    private const byte ProutRegisterAndMove = 0x07;

    /// <summary>
    /// SPC-4 6.16 PERSISTENT RESERVE OUT (5Fh), all eight service actions. Checks, in order:
    /// <list type="bullet">
    /// <item>an SPC-2 reservation held through another I_T nexus: RESERVATION CONFLICT (5.12.3);</item>
    /// <item>"If the parameter list length is not 24 ... and SPEC_I_PT is zero ... PARAMETER LIST LENGTH
    /// ERROR" (6.16.3; REGISTER AND MOVE has its own list, at least 24 bytes plus the TransportID);</item>
    /// <item>SPEC_I_PT = 1 (SIP_C = 0): INVALID FIELD IN PARAMETER LIST; APTPL = 1 without a place to
    /// persist (PTPL_C = 0): INVALID FIELD IN PARAMETER LIST;</item>
    /// <item>RESERVE, RELEASE, PREEMPT and PREEMPT AND ABORT: SCOPE other than LU_SCOPE (0h) or an
    /// unknown TYPE: INVALID FIELD IN CDB;</item>
    /// <item>then the service action's own rules (<see cref="ReservationBook"/>), applied by compare-and-swap (<see cref="ReservationState"/>).</item>
    /// </list>
    /// PREEMPT AND ABORT removes registrations like PREEMPT, then aborts the tasks of the preempted
    /// nexuses on this logical unit through <see cref="ScsiTargetDevice.AbortTasks"/> (the task set
    /// lives in the transport).
    /// </summary>
    public static async ValueTask<ScsiResult> PersistentReserveOut(CommandContext context)
    {
        var unit = context.Unit;
        var nexus = context.Command.Nexus;
        if (unit.Reservations.LegacyConflicts(nexus))
        {
            return ScsiResult.ReservationConflict;
        }

        var cdb = context.Cdb;
        var serviceAction = (byte)(cdb[1] & 0x1F);
        var scope = cdb[2] >> 4;
        var type = cdb[2] & 0x0F;
        var listLength = CdbReader.UInt32(cdb, 5);
        var data = context.Command.DataOut;
        if (serviceAction == ProutRegisterAndMove)
        {
            return await RegisterAndMove(context, data, listLength).ConfigureAwait(false);
        }

        if (listLength != ProutParameterListLength || data.Length < ProutParameterListLength)
        {
            ScsiErrors.ParameterListLengthError();
        }

        var key = CdbReader.UInt64(data.Span, 0);
        var serviceActionKey = CdbReader.UInt64(data.Span, 8);
        var flags = data.Span[20];
        if ((flags & 0x08) != 0)
        {
            ScsiErrors.InvalidFieldInParameterList(20, 3);
        }

        var aptpl = (flags & 0x01) != 0;
        if (aptpl && !unit.Reservations.CanPersist)
        {
            ScsiErrors.InvalidFieldInParameterList(20, 0);
        }

        if (serviceAction is ProutReserve or ProutRelease or ProutPreempt or ProutPreemptAndAbort)
        {
            if (scope != 0)
            {
                ScsiErrors.InvalidFieldInCdb(2, 7);
            }

            if (!PersistentReservationTypes.IsValid(type))
            {
                ScsiErrors.InvalidFieldInCdb(2, 3);
            }
        }

        var reservationType = (PersistentReservationType)type;
        var notices = new List<ReservationNotice>();
        var state = unit.Reservations;
        var cancellationToken = context.CancellationToken;
        var done = serviceAction switch
        {
            ProutRegister => await state.RegisterAsync(nexus, key, serviceActionKey, ignoreExisting: false, (flags & 0x04) != 0, aptpl, notices, cancellationToken).ConfigureAwait(false),
            ProutRegisterAndIgnore => await state.RegisterAsync(nexus, key, serviceActionKey, ignoreExisting: true, (flags & 0x04) != 0, aptpl, notices, cancellationToken).ConfigureAwait(false),
            ProutReserve => await state.ReserveAsync(nexus, key, reservationType, cancellationToken).ConfigureAwait(false),
            ProutRelease => await state.ReleaseAsync(nexus, key, reservationType, notices, cancellationToken).ConfigureAwait(false),
            ProutClear => await state.ClearAsync(nexus, key, notices, cancellationToken).ConfigureAwait(false),
            _ => await state.PreemptAsync(nexus, key, serviceActionKey, reservationType, serviceAction == ProutPreemptAndAbort, notices, cancellationToken).ConfigureAwait(false),
        };

        // The reservation state raised the unit attentions (here, and through the shared state on the
        // other gateways, before the change was acknowledged); this gateway aborts its own nexuses' tasks.
        if (done && serviceAction == ProutPreemptAndAbort)
        {
            AbortPreemptedTasks(context, notices);
        }

        return done ? ScsiResult.Good(dataOutLength: ProutParameterListLength) : ScsiResult.ReservationConflict;
    }

    /// <summary>
    /// SPC-4 5.12.11.4.4 (PREEMPT AND ABORT): "all tasks ... from the I_T nexuses associated with the
    /// persistent reservations or registrations being preempted (i.e., preempted tasks) except the task
    /// containing the PERSISTENT RESERVE OUT command itself shall be aborted". A preempted registrant is
    /// named as the reservation state keys registrations: initiator port name and relative target port
    /// (every target port when ALL_TG_PT was set), so its nexuses are exactly those
    /// <see cref="Registrant.Matches(ItNexus)"/> accepts. The issuer's nexus is never selected.
    /// </summary>
    private static void AbortPreemptedTasks(CommandContext context, List<ReservationNotice> notices)
    {
        if (context.Target.AbortTasks is not { } abort)
        {
            return;
        }

        var preempted = new List<Registrant>();
        foreach (var notice in notices)
        {
            if (notice.Sense == AdditionalSense.RegistrationsPreempted)
            {
                preempted.Add(notice.Registrant);
            }
        }

        if (preempted.Count == 0)
        {
            return;
        }

        var issuer = context.Command.Nexus.Id;
        abort(context.Unit.Lun, nexus =>
        {
            if (nexus.Id == issuer)
            {
                return false;
            }

            foreach (var registrant in preempted)
            {
                if (registrant.Matches(nexus))
                {
                    return true;
                }
            }

            return false;
        });
    }

    /// <summary>
    /// SPC-4 6.16.4 REGISTER AND MOVE parameter list: RESERVATION KEY, SERVICE ACTION RESERVATION KEY,
    /// UNREG (byte 17 bit 1), APTPL (bit 0), RELATIVE TARGET PORT IDENTIFIER (18..19), TRANSPORTID
    /// PARAMETER DATA LENGTH (20..23), then the TransportID: for iSCSI only FORMAT CODE 01b names an
    /// initiator port ("name,i,0xISID"), so 00b is INVALID FIELD IN PARAMETER LIST.
    /// </summary>
    private static async ValueTask<ScsiResult> RegisterAndMove(CommandContext context, ReadOnlyMemory<byte> dataOut, uint listLength)
    {
        var destination = ParseMoveDestination(context, dataOut.Span, listLength, out var key, out var unregister, out var aptpl);
        var done = await context.Unit.Reservations.MoveAsync(context.Command.Nexus, key, destination.Key, destination, unregister, aptpl, context.CancellationToken).ConfigureAwait(false);
        return done ? ScsiResult.Good(dataOutLength: (int)listLength) : ScsiResult.ReservationConflict;
    }

    private static Registrant ParseMoveDestination(CommandContext context, ReadOnlySpan<byte> data, uint listLength, out ulong key, out bool unregister, out bool aptpl)
    {
        if (listLength < ProutParameterListLength || data.Length < ProutParameterListLength)
        {
            ScsiErrors.ParameterListLengthError();
        }

        var transportIdLength = CdbReader.UInt32(data, 20);
        if (listLength < ProutParameterListLength + transportIdLength || data.Length < ProutParameterListLength + transportIdLength || transportIdLength < 8)
        {
            ScsiErrors.ParameterListLengthError();
        }

        var unit = context.Unit;
        aptpl = (data[17] & 0x01) != 0;
        if (aptpl && !unit.Reservations.CanPersist)
        {
            ScsiErrors.InvalidFieldInParameterList(17, 0);
        }

        var transportId = data.Slice(ProutParameterListLength, (int)transportIdLength);
        if (transportId[0] != IscsiInitiatorPortTransportId)
        {
            ScsiErrors.InvalidFieldInParameterList(ProutParameterListLength);
        }

        var name = transportId[4..];
        var end = name.IndexOf((byte)0);
        var port = Encoding.UTF8.GetString(end < 0 ? name : name[..end]);
        if (!port.Contains(",i,0x", StringComparison.OrdinalIgnoreCase))
        {
            ScsiErrors.InvalidFieldInParameterList(ProutParameterListLength + 4);
        }

        var serviceActionKey = CdbReader.UInt64(data, 8);
        if (serviceActionKey == 0)
        {
            ScsiErrors.InvalidFieldInParameterList(8);
        }

        key = CdbReader.UInt64(data, 0);
        unregister = (data[17] & 0x02) != 0;
        return new Registrant(port, CdbReader.UInt16(data, 18), AllTargetPorts: false, serviceActionKey);
    }
}
