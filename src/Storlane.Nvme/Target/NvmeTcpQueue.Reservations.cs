using System.Buffers;
using System.Buffers.Binary;
using Storlane.Scsi;

namespace Storlane.Nvme.Target;

/// <summary>
/// NVMe reservations (base 2.0, 8.19; commands 7.3-7.6) on the logical unit's SCSI persistent
/// reservation state (<see cref="PersistentReservationPort"/>): one reservation whichever transport
/// took it. A host is named by its NQN and HOSTID (<see cref="NvmeController.Nexus"/>); each command
/// runs as the SPC-4 PERSISTENT RESERVE OUT service action with the same rules, and a conflict there
/// is Reservation Conflict (83h) here.
/// </summary>
internal sealed partial class NvmeTcpQueue
{
    private const int ReportHeaderLength = 64;
    private const int ReportEntryLength = 64;

    /// <summary>
    /// Which reservation rules an I/O command meets (base 2.0, figure 471 "Command Behavior in the
    /// Presence of a Reservation"): true for the write group, false for the read group, null for the
    /// reservation commands themselves (their own rules).
    /// </summary>
    private static bool? ReservationAccessOf(IoOpcode opcode) => opcode switch
    {
        IoOpcode.Read or IoOpcode.Compare => false,
        IoOpcode.Write or IoOpcode.WriteZeroes or IoOpcode.DatasetManagement or IoOpcode.Flush => true,
        _ => null,
    };

    /// <summary>NVMe RTYPE 1h..6h (figure 468) as the SPC-4 TYPE code the reservation state keeps (table 169).</summary>
    private static PersistentReservationType? ScsiType(uint rtype) => rtype switch
    {
        1 => PersistentReservationType.WriteExclusive,
        2 => PersistentReservationType.ExclusiveAccess,
        3 => PersistentReservationType.WriteExclusiveRegistrantsOnly,
        4 => PersistentReservationType.ExclusiveAccessRegistrantsOnly,
        5 => PersistentReservationType.WriteExclusiveAllRegistrants,
        6 => PersistentReservationType.ExclusiveAccessAllRegistrants,
        _ => null,
    };

    private static byte NvmeType(PersistentReservationType type) => type switch
    {
        PersistentReservationType.WriteExclusive => 1,
        PersistentReservationType.ExclusiveAccess => 2,
        PersistentReservationType.WriteExclusiveRegistrantsOnly => 3,
        PersistentReservationType.ExclusiveAccessRegistrantsOnly => 4,
        PersistentReservationType.WriteExclusiveAllRegistrants => 5,
        _ => 6,
    };

    /// <summary>
    /// Reservation Register (7.6): RREGA CDW10 2:0 (000b register, 001b unregister, 010b replace),
    /// IEKEY bit 3, CPTPL 31:30; data CRKEY (0..7), NRKEY (8..15). As SPC-4 REGISTER: register is
    /// key 0 to NRKEY, unregister CRKEY to 0, replace CRKEY to NRKEY; IEKEY is REGISTER AND IGNORE
    /// EXISTING KEY.
    /// </summary>
    private async ValueTask<CommandResult> ReservationRegisterAsync(NvmeController controller, NvmeNamespace ns, SubmissionEntry sqe, byte[]? data, int length)
    {
        if (data is null || length < 16)
        {
            return NvmeStatus.DataSglLengthInvalid;
        }

        var reservations = ns.Unit.PersistentReservations;
        var action = sqe.Cdw10 & 0b111;
        var ignoreExisting = (sqe.Cdw10 & 0b1000) != 0;
        var persist = sqe.Cdw10 >> 30;

        // CPTPL 01b is reserved; 11b asks to persist through power loss, which needs somewhere to persist to.
        if (action > 2 || persist == 1 || (persist == 3 && !reservations.CanPersist))
        {
            return NvmeStatus.InvalidField;
        }

        var current = BinaryPrimitives.ReadUInt64LittleEndian(data);
        var next = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(8));
        var (key, newKey) = action switch
        {
            0 => (0UL, next),
            1 => (current, 0UL),
            _ => (current, next),
        };

        if (action != 1 && newKey == 0)
        {
            // A registration key of 0 would unregister: not what register or replace asks for.
            return NvmeStatus.InvalidField;
        }

        return await RunReservationAsync(controller, reservations, static (port, nexus, args) =>
            port.RegisterAsync(nexus, args.Key, args.NewKey, args.IgnoreExisting, args.Persist, CancellationToken.None), (Key: key, NewKey: newKey, IgnoreExisting: ignoreExisting, Persist: persist == 3)).ConfigureAwait(false);
    }

    /// <summary>
    /// Reservation Acquire (7.3): RACQA CDW10 2:0 (000b acquire, 001b preempt, 010b preempt and
    /// abort), RTYPE 15:8; data CRKEY, PRKEY. As SPC-4 RESERVE / PREEMPT / PREEMPT AND ABORT.
    /// </summary>
    private async ValueTask<CommandResult> ReservationAcquireAsync(NvmeController controller, NvmeNamespace ns, SubmissionEntry sqe, byte[]? data, int length)
    {
        if (data is null || length < 16)
        {
            return NvmeStatus.DataSglLengthInvalid;
        }

        var action = sqe.Cdw10 & 0b111;
        if (action > 2 || ScsiType((sqe.Cdw10 >> 8) & 0xFF) is not { } type)
        {
            return NvmeStatus.InvalidField;
        }

        var current = BinaryPrimitives.ReadUInt64LittleEndian(data);
        var preempt = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(8));
        return await RunReservationAsync(controller, ns.Unit.PersistentReservations, static (port, nexus, args) => args.Action == 0
            ? port.ReserveAsync(nexus, args.Current, args.Type, CancellationToken.None)
            : port.PreemptAsync(nexus, args.Current, args.Preempt, args.Type, abort: args.Action == 2, CancellationToken.None), (Action: action, Current: current, Preempt: preempt, Type: type)).ConfigureAwait(false);
    }

    /// <summary>Reservation Release (7.5): RRELA CDW10 2:0 (000b release, 001b clear), RTYPE 15:8; data CRKEY. As SPC-4 RELEASE / CLEAR.</summary>
    private async ValueTask<CommandResult> ReservationReleaseAsync(NvmeController controller, NvmeNamespace ns, SubmissionEntry sqe, byte[]? data, int length)
    {
        if (data is null || length < 8)
        {
            return NvmeStatus.DataSglLengthInvalid;
        }

        var action = sqe.Cdw10 & 0b111;
        var rtype = (sqe.Cdw10 >> 8) & 0xFF;
        var type = ScsiType(rtype);
        if (action > 1 || (action == 0 && type is null))
        {
            return NvmeStatus.InvalidField;
        }

        var current = BinaryPrimitives.ReadUInt64LittleEndian(data);
        return await RunReservationAsync(controller, ns.Unit.PersistentReservations, static (port, nexus, args) => args.Type is { } release
            ? port.ReleaseAsync(nexus, args.Current, release, CancellationToken.None)
            : port.ClearAsync(nexus, args.Current, CancellationToken.None), (Current: current, Type: action == 0 ? type : null)).ConfigureAwait(false);
    }

    /// <summary>Runs one reservation change; an SPC-2 RESERVE held elsewhere conflicts first (SPC-4 5.12.3).</summary>
    private static async ValueTask<CommandResult> RunReservationAsync<TArgs>(NvmeController controller, PersistentReservationPort port, Func<PersistentReservationPort, ItNexus, TArgs, ValueTask<bool>> change, TArgs args)
    {
        if (port.LegacyConflicts(controller.Nexus))
        {
            return NvmeStatus.ReservationConflict;
        }

        try
        {
            return await change(port, controller.Nexus, args).ConfigureAwait(false) ? CommandResult.Ok : NvmeStatus.ReservationConflict;
        }
        catch (ScsiException)
        {
            // The shared reservation state is out of reach (NOT READY on the SCSI side): retry on another path.
            return NvmeStatus.AsymmetricAccessTransition;
        }
    }

    /// <summary>
    /// Reservation Report (7.4): NUMD CDW10 (dwords, 0's based), EDS CDW11 bit 0. The extended
    /// Reservation Status data structure (figure 479): GEN, RTYPE, REGCTL, PTPLS, then 64-byte
    /// Registrant entries: CNTLID FFFFh (a dynamic controller model, 8.19.2), RCSTS bit 0 holder,
    /// RKEY, 128-bit HOSTID (zero for an iSCSI registrant). Fabrics hosts use 128-bit host
    /// identifiers, so EDS 0 is "Host Identifier Inconsistent Format".
    /// </summary>
    private async ValueTask<CommandResult> ReservationReportAsync(NvmeController controller, NvmeNamespace ns, SubmissionEntry sqe)
    {
        if (sqe.SglIdentifier != SubmissionEntry.SglTransport)
        {
            return NvmeStatus.SglDescriptorTypeInvalid;
        }

        var length = (long)(sqe.Cdw10 + 1UL) * 4;
        if (length > _server.Options.Limits.MaxTransferBytes || sqe.SglLength < length)
        {
            return NvmeStatus.DataSglLengthInvalid;
        }

        if ((sqe.Cdw11 & 1) == 0)
        {
            return NvmeStatus.HostIdentifierInconsistentFormat;
        }

        var port = ns.Unit.PersistentReservations;
        if (port.LegacyConflicts(controller.Nexus))
        {
            return NvmeStatus.ReservationConflict;
        }

        PersistentReservationReport report;
        try
        {
            report = await port.ReportAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (ScsiException)
        {
            return NvmeStatus.AsymmetricAccessTransition;
        }

        var whole = ReportHeaderLength + (ReportEntryLength * report.Registrations.Count);
        var page = new byte[whole];
        BinaryPrimitives.WriteUInt32LittleEndian(page, report.Generation);
        page[4] = report.Type is { } type ? NvmeType(type) : (byte)0;
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(5), (ushort)report.Registrations.Count);
        page[9] = report.PersistThroughPowerLoss ? (byte)1 : (byte)0;
        for (var i = 0; i < report.Registrations.Count; i++)
        {
            var registration = report.Registrations[i];
            var entry = page.AsSpan(ReportHeaderLength + (ReportEntryLength * i), ReportEntryLength);
            BinaryPrimitives.WriteUInt16LittleEndian(entry, 0xFFFF);
            entry[2] = registration.HoldsReservation ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], registration.Key);
            if (HostIdOf(registration.InitiatorPortName) is { } hostId)
            {
                hostId.TryWriteBytes(entry.Slice(16, 16), bigEndian: true, out _);
            }
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        buffer.AsSpan(0, (int)length).Clear();
        page.AsSpan(0, (int)Math.Min(length, whole)).CopyTo(buffer);
        return new CommandResult(NvmeStatus.Success, Data: buffer, DataLength: (int)length);
    }

    /// <summary>The HOSTID inside a name <see cref="NvmeController.ReservationHostName"/> made; null for an iSCSI initiator port.</summary>
    private static Guid? HostIdOf(string initiatorPortName)
    {
        var at = initiatorPortName.LastIndexOf(",hostid,", StringComparison.Ordinal);
        return at >= 0 && Guid.TryParseExact(initiatorPortName.AsSpan(at + 8), "D", out var id) ? id : null;
    }
}
