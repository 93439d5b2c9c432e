namespace Storlane.Scsi;

/// <summary>One registration as another transport reports it: who, the key, and whether it holds the reservation.</summary>
public readonly record struct PersistentRegistration(string InitiatorPortName, ulong Key, bool HoldsReservation);

/// <summary>A consistent copy of a unit's persistent reservations for a transport's own report (NVMe Reservation Report).</summary>
public sealed record PersistentReservationReport(uint Generation, PersistentReservationType? Type, IReadOnlyList<PersistentRegistration> Registrations, bool PersistThroughPowerLoss);

/// <summary>
/// The persistent reservations of one logical unit as another transport (NVMe/TCP) uses them: the same
/// <see cref="ReservationState"/> PERSISTENT RESERVE OUT edits, so an iSCSI initiator and an NVMe host
/// see one reservation. A transport names its hosts by an <see cref="ItNexus"/> whose initiator port
/// name it chooses; registrations made here are for every target port (ALL_TG_PT = 1), as an NVMe
/// host's registration holds on every controller of that host (NVMe base 2.0, 8.19.1).
/// Each call returns false for a reservation conflict, like the SPC-4 service action it runs.
/// </summary>
public sealed class PersistentReservationPort
{
    private readonly ReservationState _state;

    internal PersistentReservationPort(ReservationState state) => _state = state;

    /// <summary>False while the shared state cannot be vouched for: commands must not be served from a stale copy (see <see cref="ReservationState.CheckServable"/>).</summary>
    public bool IsServable => _state.IsServable;

    /// <summary>PTPL_C: a registration may ask to persist through power loss.</summary>
    public bool CanPersist => _state.CanPersist;

    /// <summary>True when a command of <paramref name="nexus"/> must end in a reservation conflict (SBC-3 4.17 table 13 rules).</summary>
    public bool Conflicts(ItNexus nexus, bool writes) => _state.Conflicts(nexus, writes ? ReservationAccess.Write : ReservationAccess.Read);

    /// <summary>An SPC-2 RESERVE held through another nexus: persistent reservation commands conflict with it (SPC-4 5.12.3).</summary>
    public bool LegacyConflicts(ItNexus nexus) => _state.LegacyConflicts(nexus);

    /// <summary>SPC-4 REGISTER (or REGISTER AND IGNORE EXISTING KEY): <paramref name="newKey"/> 0 unregisters.</summary>
    public ValueTask<bool> RegisterAsync(ItNexus nexus, ulong key, ulong newKey, bool ignoreExisting, bool persist, CancellationToken cancellationToken) =>
        _state.RegisterAsync(nexus, key, newKey, ignoreExisting, allTargetPorts: true, persist, [], cancellationToken);

    public ValueTask<bool> ReserveAsync(ItNexus nexus, ulong key, PersistentReservationType type, CancellationToken cancellationToken) =>
        _state.ReserveAsync(nexus, key, type, cancellationToken);

    public ValueTask<bool> ReleaseAsync(ItNexus nexus, ulong key, PersistentReservationType type, CancellationToken cancellationToken) =>
        _state.ReleaseAsync(nexus, key, type, [], cancellationToken);

    public ValueTask<bool> ClearAsync(ItNexus nexus, ulong key, CancellationToken cancellationToken) =>
        _state.ClearAsync(nexus, key, [], cancellationToken);

    /// <summary>SPC-4 PREEMPT; with <paramref name="abort"/> the preempted iSCSI nexuses are told as for PREEMPT AND ABORT.</summary>
    public ValueTask<bool> PreemptAsync(ItNexus nexus, ulong key, ulong preemptKey, PersistentReservationType type, bool abort, CancellationToken cancellationToken) =>
        _state.PreemptAsync(nexus, key, preemptKey, type, abort, [], cancellationToken);

    public async ValueTask<PersistentReservationReport> ReportAsync(CancellationToken cancellationToken) =>
        Report(await _state.SnapshotAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The state as this gateway last learned it, without a round trip to a shared store (for views).</summary>
    public PersistentReservationReport Cached() => Report(_state.CachedSnapshot());

    private static PersistentReservationReport Report(ReservationSnapshot snapshot)
    {
        var registrations = new PersistentRegistration[snapshot.Registrants.Count];
        for (var i = 0; i < registrations.Length; i++)
        {
            var registrant = snapshot.Registrants[i];
            registrations[i] = new PersistentRegistration(registrant.InitiatorPortName, registrant.Key, snapshot.IsHolder(registrant));
        }

        return new PersistentReservationReport(snapshot.Generation, snapshot.IsReserved ? snapshot.Type : null, registrations, snapshot.Aptpl);
    }
}
