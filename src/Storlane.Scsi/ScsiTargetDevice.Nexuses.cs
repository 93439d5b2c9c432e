using System.Collections.Concurrent;
using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>I_T nexuses seen by this target device, unit attentions and resets (SAM-5 5.14, 6.3, 7.7).</summary>
public sealed partial class ScsiTargetDevice
{
    private readonly ConcurrentDictionary<long, ItNexus> _nexuses = new();
    private readonly TargetPortRegistry _targetPorts = new();

    /// <summary>
    /// Declares a target port (an iSCSI portal group) so REPORT TARGET PORT GROUPS lists it before any
    /// initiator has used it. Ports of nexuses that send commands are learned anyway.
    /// </summary>
    public void AddTargetPort(ushort relativeTargetPortId, ushort targetPortGroup) =>
        _targetPorts.Add(relativeTargetPortId, targetPortGroup);

    /// <summary>
    /// Sets the asymmetric access state of a target port group (implicit ALUA: the target chose it, e.g.
    /// a portal group taken out of service). Every logical unit of the target reports it through
    /// REPORT TARGET PORT GROUPS, commands through a port of a standby or unavailable group are refused
    /// (SPC-4 5.16.2.4.4 / .5), and every nexus gets ASYMMETRIC ACCESS STATE CHANGED (2Ah/06h) on every
    /// unit (SPC-4 5.16.2.6: "the device server shall establish a unit attention condition ... for the
    /// initiator port associated with every I_T nexus").
    /// </summary>
    public void SetTargetPortGroupState(ushort targetPortGroup, TargetPortGroupState state)
    {
        if (_targetPorts.SetState(targetPortGroup, state, statusCode: 0x02))
        {
            EstablishForAllNexuses(AdditionalSense.AsymmetricAccessStateChanged, except: null, skipUnit: null);
        }
    }

    public TargetPortGroupState GetTargetPortGroupState(ushort targetPortGroup) => _targetPorts.State(targetPortGroup);

    /// <summary>
    /// LOGICAL UNIT RESET received on <paramref name="from"/>: unit attention for every other nexus.
    /// SAM-5 6.3.3: a logical unit reset shall "establish a unit attention condition for the initiator
    /// port associated with every I_T nexus", the sender's included, with the additional sense code BUS
    /// DEVICE RESET FUNCTION OCCURRED (29h/03h). Every nexus this target device has seen is included,
    /// whether or not it had used this unit yet: a multipath initiator learns of the reset on every
    /// path (libiscsi MultipathIO.Reset checks exactly that, as LIO behaves).
    /// </summary>
    /// With several gateways the reset is one of the logical unit, not of this gateway: the shared state
    /// carries it to the others, which raise the unit attention for their nexuses, abort their tasks on
    /// the unit and end their preventions before the returned task completes (the TMF response waits for it).
    /// </summary>
    /// <param name="from">The nexus that sent the TMF; null for a reset an administrator asked for (the management API).</param>
    /// <returns>Completes (never faults) once every gateway has the reset; at once without a shared store.</returns>
    public Task ResetLogicalUnit(ulong lun, ItNexus? from)
    {
        if (from is not null)
        {
            NoteNexus(from);
        }

        var unit = FindLogicalUnit(lun);
        if (unit is null)
        {
            return Task.CompletedTask;
        }

        ScsiLog.LogicalUnitReset(_logger, TargetName, lun, (object?)from ?? "the management API");

        foreach (var nexusId in _nexuses.Keys)
        {
            unit.Attentions.Establish(nexusId, AdditionalSense.BusDeviceResetFunctionOccurred);
        }

        // SPC-2 7.21: a reset releases a RESERVE(6)/(10) reservation; persistent reservations stay
        // (SPC-4 5.12.1), so a cluster keeps its fence across a LUN reset. SBC-3 5.11: it ends every
        // prevention of medium removal, those held through other gateways included.
        return unit.Reservations.ResetAsync(AdditionalSense.BusDeviceResetFunctionOccurred, e => ScsiLog.ReservationStateUnavailable(_logger, TargetName, unit.Lun, e));
    }

    /// <summary>
    /// TARGET WARM/COLD RESET received on <paramref name="from"/>. RFC 7143 11.5.1 makes TARGET WARM
    /// RESET the SAM target reset (the old BUS DEVICE RESET message), so every other nexus gets BUS
    /// DEVICE RESET FUNCTION OCCURRED (29h/03h) on every logical unit; TARGET COLD RESET is a power
    /// cycle of the target device, reported as POWER ON OCCURRED (29h/01h). The transport closes
    /// sessions for a cold reset; nexuses it then removes lose their pending unit attentions. Other
    /// gateways of a shared unit raise the same unit attention for all their nexuses before the
    /// returned task completes (it never faults).
    /// </summary>
    public Task ResetTarget(ItNexus from, bool cold)
    {
        ArgumentNullException.ThrowIfNull(from);
        NoteNexus(from);
        ScsiLog.TargetReset(_logger, TargetName, cold ? "COLD" : "WARM", from);
        var sense = cold ? AdditionalSense.PowerOnOccurred : AdditionalSense.BusDeviceResetFunctionOccurred;
        EstablishForAllNexuses(sense, except: from, skipUnit: null);
        var shared = Task.CompletedTask;
        foreach (var unit in _luns.Sorted)
        {
            // SAM-5 6.3.4: a target reset is a logical unit reset of every unit, which ends every
            // prevention of medium removal (SBC-3 5.11); a cold reset is a hard reset, which does too.
            // The reservation state ends them in the shared state, for every gateway.
            var reset = unit.Reservations.ResetAsync(sense, e => ScsiLog.ReservationStateUnavailable(_logger, TargetName, unit.Lun, e));
            if (!reset.IsCompleted)
            {
                shared = shared.IsCompleted ? reset : Task.WhenAll(shared, reset);
            }
        }

        return shared;
    }

    /// <summary>
    /// Another gateway of a shared unit changed it (learned from the shared state before that
    /// gateway's command completed): MODE PARAMETERS CHANGED for every nexus here (SPC-4 7.5.1), or a
    /// logical unit / target reset, which SAM-5 6.3.3 makes reach every I_T nexus: the unit attention,
    /// the abort of every task in the task set and, for a cold reset, the end of every session (the
    /// resetting gateway ended every prevention in the shared state, SBC-3 5.11); or a medium loaded
    /// through another gateway: NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED for every nexus
    /// here (SPC-4 4.5.6).
    /// </summary>
    internal void RaiseFromOtherGateway(LogicalUnit unit, AdditionalSense sense)
    {
        if (sense is AdditionalSense.BusDeviceResetFunctionOccurred or AdditionalSense.PowerOnOccurred)
        {
            AbortTasks?.Invoke(unit.Lun, static _ => true);
        }

        if (sense == AdditionalSense.PowerOnOccurred && EndAllSessions is { } endAll)
        {
            // A TARGET COLD RESET through another gateway (RFC 7143 11.5.1): every session of the target
            // ends, here too. Off the store's notification thread: ending a nexus writes to the store.
            ThreadPool.UnsafeQueueUserWorkItem(static end => end(), endAll, preferLocal: false);
        }

        EstablishForAllNexuses(sense, unit);
    }

    /// <summary>
    /// A nexus logged out or its session ended: forget its unit attentions. The task completes once
    /// the release of its SPC-2 reservation and the end of its prevention of medium removal are in the
    /// shared state (at once with a local store), so every gateway has them when the logout is answered.
    /// </summary>
    public Task RemoveNexus(ItNexus nexus)
    {
        ArgumentNullException.ThrowIfNull(nexus);
        _nexuses.TryRemove(nexus.Id, out _);
        var released = Task.CompletedTask;
        foreach (var unit in _luns.Sorted)
        {
            unit.Attentions.Forget(nexus.Id);
            unit.Copies.Forget(nexus.Id);

            // I_T nexus loss releases an SPC-2 reservation (SPC-2 7.21) and ends the nexus's prevention
            // of medium removal (SBC-3 5.11); registrations persist (SPC-4 5.12.1).
            var drop = unit.Reservations.EndNexus(nexus.Id, e => ScsiLog.ReservationStateUnavailable(_logger, TargetName, unit.Lun, e));
            if (!drop.IsCompleted)
            {
                released = released.IsCompleted ? drop : Task.WhenAll(released, drop);
            }
        }

        return released;
    }

    /// <summary>
    /// Unit attentions the reservation state asked for (RESERVATIONS PREEMPTED / RELEASED, REGISTRATIONS
    /// PREEMPTED), for every known I_T nexus of the registrant (SPC-4 5.12.11). A registrant with no
    /// session right now misses it: a new nexus starts without unit attentions. <paramref name="abort"/>:
    /// a PREEMPT AND ABORT through another gateway; the tasks of these nexuses on this unit are aborted
    /// as well (5.12.11.4.4), which the issuing gateway cannot do for nexuses it does not have.
    /// </summary>
    internal void Notify(LogicalUnit unit, List<ReservationNotice> notices, bool abort = false)
    {
        RaiseReservationNotices(unit, notices);
        foreach (var notice in notices)
        {
            foreach (var nexus in _nexuses.Values)
            {
                if (notice.Registrant.Matches(nexus))
                {
                    unit.Attentions.Establish(nexus.Id, notice.Sense);
                }
            }
        }

        if (abort && AbortTasks is { } abortTasks)
        {
            abortTasks(unit.Lun, nexus =>
            {
                foreach (var notice in notices)
                {
                    if (notice.Registrant.Matches(nexus))
                    {
                        return true;
                    }
                }

                return false;
            });
        }
    }

    /// <summary>Unit attentions pending for a nexus on a LUN, highest precedence first (diagnostics).</summary>
    public IReadOnlyList<AdditionalSense> PendingUnitAttentions(ulong lun, ItNexus nexus)
    {
        ArgumentNullException.ThrowIfNull(nexus);
        return FindLogicalUnit(lun)?.Attentions.Snapshot(nexus.Id) ?? [];
    }

    /// <summary>
    /// A nexus that sends its first command is remembered (so later resets reach it) with no unit
    /// attention pending: logging in is quiet. Its target port joins the port registry.
    /// </summary>
    private void NoteNexus(ItNexus nexus)
    {
        ArgumentNullException.ThrowIfNull(nexus);
        if (!_nexuses.ContainsKey(nexus.Id) && _nexuses.TryAdd(nexus.Id, nexus))
        {
            _targetPorts.Add(nexus.RelativeTargetPortId, nexus.TargetPortGroup);
        }
    }

    private void EstablishForAllNexuses(AdditionalSense sense, ItNexus? except, LogicalUnit? skipUnit)
    {
        foreach (var unit in _luns.Sorted)
        {
            if (ReferenceEquals(unit, skipUnit))
            {
                continue;
            }

            foreach (var nexusId in _nexuses.Keys)
            {
                if (nexusId != except?.Id)
                {
                    unit.Attentions.Establish(nexusId, sense);
                }
            }
        }
    }

    /// <summary>A unit attention on one logical unit for every known nexus.</summary>
    private void EstablishForAllNexuses(AdditionalSense sense, LogicalUnit unit)
    {
        foreach (var nexusId in _nexuses.Keys)
        {
            unit.Attentions.Establish(nexusId, sense);
        }
    }

    /// <summary>A unit attention on one logical unit for every known nexus but <paramref name="except"/> (MODE PARAMETERS CHANGED and the like).</summary>
    internal void EstablishForOtherNexuses(LogicalUnit unit, AdditionalSense sense, ItNexus except)
    {
        foreach (var nexusId in _nexuses.Keys)
        {
            if (nexusId != except.Id)
            {
                unit.Attentions.Establish(nexusId, sense);
            }
        }
    }

    /// <summary>SAM-5 5.14: REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED for the nexus on every unit.</summary>
    internal void ClearReportedLunsChanged(ItNexus nexus)
    {
        foreach (var unit in _luns.Sorted)
        {
            unit.Attentions.Clear(nexus.Id, AdditionalSense.ReportedLunsDataHasChanged);
        }
    }

    internal SortedDictionary<ushort, List<ushort>> TargetPortGroups() => _targetPorts.Groups();

    internal TargetPortRegistry TargetPorts => _targetPorts;

    /// <summary>SET TARGET PORT GROUPS: the states change together, then the other nexuses hear of it.</summary>
    internal void SetTargetPortGroupStatesExplicitly(List<(ushort Group, TargetPortGroupState State)> changes, ItNexus from)
    {
        var changed = false;
        foreach (var (group, state) in changes)
        {
            changed |= _targetPorts.SetState(group, state, statusCode: 0x01);
        }

        if (changed)
        {
            EstablishForAllNexuses(AdditionalSense.AsymmetricAccessStateChanged, except: from, skipUnit: null);
        }
    }
}
