using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// Reservations of one logical unit (SPC-4 5.12 persistent reservations, SPC-2 RESERVE/RELEASE) over an
/// <see cref="ILuSharedState"/>: the command path reads the cached <see cref="ReservationBook"/> (one
/// volatile read when nothing is registered or reserved, no lock); PERSISTENT RESERVE OUT, RESERVE and
/// RELEASE edit a copy and store it by compare-and-swap, reloading and computing again when another
/// gateway changed it first. Resets do not touch persistent reservations (SPC-4 5.12.1: they are
/// "retained ... by the device server" across resets and I_T nexus loss); they release an SPC-2
/// reservation (SPC-2 7.21). With a shared store, the unit attentions a change raises travel in the
/// stored state and each gateway raises those of its own nexuses when it learns of the change, which
/// the store guarantees happens before the writer's command completes. The same book carries what
/// else SPC-4 and SAM-5 make per logical unit rather than per I_T nexus: SWP of the Control mode page
/// (read from the cached book on the data path, no round trip), the removable medium (loaded or not,
/// and the I_T nexuses that prevent its removal, SBC-3 5.11; likewise read from the cached book), and
/// the unit attentions of a MODE SELECT, a reset or a medium load for the other gateways' nexuses.
/// </summary>
internal sealed class ReservationState : ISharedStateListener
{
    /// <summary>Compare-and-swap rounds before giving up (another gateway changing the state each time).</summary>
    public const int MaxAttempts = 16;

    private readonly ILuSharedState _store;
    private readonly string _gateway;
    private long _endingLegacyNexus = -1;

    // This gateway's I_T nexuses that ended while the shared store has not yet dropped their
    // preventions (SBC-3 5.11: the prevention ends with the nexus, at once); guarded by itself.
    private readonly HashSet<long> _endingPreventions = [];
    private readonly Action<List<ReservationNotice>, bool> _raise;
    private readonly Action<AdditionalSense> _raiseForUnit;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Lock _installLock = new();
    private volatile Cached _current;
    private volatile bool _servable = true;
    private int _reloading;
    private int _reloadRequested;
    private long _raisedThrough;

    /// <param name="store">Where the state lives.</param>
    /// <param name="gateway">This process among the gateways sharing the store: name and incarnation.</param>
    /// <param name="raise">Raises unit attentions for this gateway's nexuses (abort: PREEMPT AND ABORT's task abort too).</param>
    /// <param name="raiseForUnit">Another gateway changed the logical unit (MODE SELECT, a reset): act on it for every nexus of this one.</param>
    /// <exception cref="InvalidDataException">The stored state is not readable.</exception>
    public ReservationState(ILuSharedState store, string gateway, Action<List<ReservationNotice>, bool> raise, Action<AdditionalSense> raiseForUnit)
    {
        _store = store;
        _gateway = gateway;
        _raise = raise;
        _raiseForUnit = raiseForUnit;
        _current = new Cached(ReservationBook.Empty, 0);
        SharedStateImage image;
        try
        {
            image = _store.LoadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        catch (SharedStateUnavailableException)
        {
            // Served NOT READY until a reload succeeds.
            _servable = false;
            _store.Subscribe(this);
            return;
        }

        var book = ReservationCodec.Decode(image.Content.Span);
        if (!_store.IsShared && (book.SoftwareWriteProtect || book.MediumRemoved || book.Preventions.Count != 0))
        {
            // A file kept for APTPL carries SWP and the medium along, but SWP is not savable (PS = 0)
            // and a restart of this process is a power on: SWP = 0, the medium loaded, no nexus and
            // so no prevention (SBC-3 5.11: a power on ends them).
            book = book.Clone();
            book.SoftwareWriteProtect = false;
            book.MediumRemoved = false;
            book.Preventions.Clear();
        }

        _current = new Cached(book, image.Version);
        _raisedThrough = book.LastNoticeSequence;
        _store.Subscribe(this);
        DropStaleNexuses(book);
    }

    /// <summary>PTPL_C of REPORT CAPABILITIES: APTPL = 1 is honoured only with somewhere to persist to.</summary>
    public bool CanPersist => _store.Persistence != SharedStatePersistence.None;

    /// <summary>The store keeps everything across restarts (a cluster object): PTPL_A reads 1.</summary>
    public bool AlwaysPersists => _store.Persistence == SharedStatePersistence.Always;

    /// <summary>False while the store cannot vouch for the cached state; the unit then answers NOT READY.</summary>
    public bool IsServable => _servable;

    /// <summary>
    /// A gateway that cannot reach the shared state must not serve the unit from a copy that may be
    /// stale: a reservation taken through another gateway would be ignored. SPC-4 5.16.2.5 lets a port
    /// answer NOT READY, LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION (04h/0Ah) while
    /// it cannot serve; multipath initiators retry that on another path (another gateway) instead of
    /// failing the I/O, which a plain LOGICAL UNIT NOT READY does not promise.
    /// </summary>
    public void CheckServable()
    {
        if (_servable)
        {
            return;
        }

        StartReload();
        throw new ScsiException(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleAsymmetricAccessStateTransition);
    }

    /// <summary>True when the command must end in RESERVATION CONFLICT (see <see cref="ReservationBook.Conflicts"/>).</summary>
    public bool Conflicts(ItNexus nexus, ReservationAccess access)
    {
        var book = _current.Book;
        if (!book.IsActive || access is ReservationAccess.Allowed or ReservationAccess.Reservation)
        {
            return false;
        }

        return book.Legacy is { } legacy && IsEnding(legacy)
            ? book.PersistentConflicts(nexus, access)
            : book.Conflicts(_gateway, nexus, access);
    }

    /// <summary>An SPC-2 reservation held through another nexus (SPC-4 5.12.3: PR commands conflict with it).</summary>
    public bool LegacyConflicts(ItNexus nexus) =>
        _current.Book.Legacy is { } legacy && !IsEnding(legacy) && _current.Book.LegacyConflicts(_gateway, nexus);

    /// <summary>
    /// This gateway's RESERVE holder whose I_T nexus is gone: SPC-2 7.21 ends the reservation with
    /// the nexus, at once, while the shared store hears of it a round trip later. Without this, a
    /// command from another nexus in that window would get RESERVATION CONFLICT from a reservation
    /// that no longer exists (libiscsi's Sanitize.Reset after Sanitize.Reservations closes its clone).
    /// </summary>
    private bool IsEnding(LegacyHolder legacy) =>
        legacy.NexusId == Volatile.Read(ref _endingLegacyNexus) && string.Equals(legacy.Gateway, _gateway, StringComparison.Ordinal);

    /// <summary>SWP of the Control mode page as this gateway last learned it (one volatile read: the data path checks it).</summary>
    public bool SoftwareWriteProtect => _current.Book.SoftwareWriteProtect;

    /// <summary>
    /// MODE SELECT of SWP (SPC-4 7.5.8). True when the value changed: the caller raises MODE PARAMETERS
    /// CHANGED for this gateway's other nexuses; a shared store carries it to the other gateways' nexuses,
    /// which have it before this returns (SPC-4 7.5.1).
    /// </summary>
    public async ValueTask<bool> SetSoftwareWriteProtectAsync(bool value, CancellationToken cancellationToken)
    {
        var changed = false;
        await ChangeAsync(
            (book, _) =>
            {
                changed = book.SoftwareWriteProtect != value;
                book.SoftwareWriteProtect = value;
                if (changed && _store.IsShared)
                {
                    book.AddUnitNotice(AdditionalSense.ModeParametersChanged, _gateway);
                }

                return true;
            },
            [],
            abort: false,
            cancellationToken).ConfigureAwait(false);
        return changed;
    }

    /// <summary>The removable medium is unloaded, as this gateway last learned it (one volatile read: the data path checks it).</summary>
    public bool MediumRemoved => _current.Book.MediumRemoved;

    /// <summary>
    /// Some I_T nexus of some gateway prevents medium removal (SBC-3 5.11), as this gateway last learned
    /// it; a prevention of this gateway's nexus that has ended no longer counts while the store hears of it.
    /// </summary>
    public bool MediumRemovalPrevented
    {
        get
        {
            foreach (var prevention in _current.Book.Preventions)
            {
                if (!IsEnding(prevention))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>SBC-3 5.11 PREVENT ALLOW MEDIUM REMOVAL from <paramref name="nexus"/>: stored for every gateway before this returns.</summary>
    public ValueTask<bool> SetPreventionAsync(ItNexus nexus, bool prevent, CancellationToken cancellationToken) =>
        ChangeAsync(
            (book, _) =>
            {
                book.SetPrevention(_gateway, nexus, prevent);
                return true;
            },
            [],
            abort: false,
            cancellationToken);

    /// <summary>
    /// START STOP UNIT LOEJ = 1 (SBC-3 5.25): unloads or loads the medium of every gateway, refused with
    /// MEDIUM REMOVAL PREVENTED while a nexus of any gateway prevents removal. True when the medium went
    /// from absent to present: the caller raises NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED for
    /// this gateway's other nexuses, and a shared store carries it to every nexus of the others
    /// (SPC-4 4.5.6: the medium may have changed for all of them) before this returns.
    /// </summary>
    public async ValueTask<bool> LoadOrUnloadAsync(bool load, CancellationToken cancellationToken)
    {
        var loaded = false;
        await ChangeAsync(
            (book, _) =>
            {
                // Preventions of this gateway's nexuses that have ended are gone (SBC-3 5.11), stored or not yet.
                book.DropPreventions(IsEnding);
                loaded = book.LoadOrUnload(load);
                if (loaded && _store.IsShared)
                {
                    book.AddUnitNotice(AdditionalSense.NotReadyToReadyChangeMediumMayHaveChanged, _gateway);
                }

                return true;
            },
            [],
            abort: false,
            cancellationToken).ConfigureAwait(false);
        return loaded;
    }

    /// <summary>
    /// A logical unit reset (or a target reset, <paramref name="sense"/> telling which unit attention)
    /// received by this gateway: the SPC-2 reservation is released wherever it is held (SPC-2 7.21), every
    /// prevention of medium removal ends, whichever gateway's nexus held it (SBC-3 5.11), and with a
    /// shared store every other gateway raises <paramref name="sense"/> for all its nexuses and aborts
    /// its tasks on the unit (SAM-5 6.3.3: every I_T nexus), before the task completes, so the reset's
    /// response follows them. The task never faults; a failure is reported through <paramref name="failed"/>.
    /// </summary>
    public Task ResetAsync(AdditionalSense sense, Action<Exception> failed)
    {
        if (_current.Book.Legacy is { } held && string.Equals(held.Gateway, _gateway, StringComparison.Ordinal))
        {
            Volatile.Write(ref _endingLegacyNexus, held.NexusId);
        }

        var pending = ChangeAsync(
            (book, _) =>
            {
                book.DropLegacy(_ => true);
                book.DropPreventions(_ => true);
                if (_store.IsShared)
                {
                    book.AddUnitNotice(sense, _gateway);
                }

                return true;
            },
            [],
            abort: false,
            CancellationToken.None);
        return pending.IsCompletedSuccessfully ? Task.CompletedTask : ObserveAsync(pending, failed);
    }

    /// <summary>Some I_T nexus holds a persistent reservation, as this gateway last learned it.</summary>
    public bool IsPersistentlyReserved => _current.Book.Holder is not null;

    /// <summary>A consistent copy of the cached state, with no refresh from a shared store.</summary>
    public ReservationSnapshot CachedSnapshot() => _current.Book.Snapshot(AlwaysPersists);

    /// <summary>A consistent copy for PERSISTENT RESERVE IN; a shared store is read again first (the generation check).</summary>
    public async ValueTask<ReservationSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        if (_store.IsShared)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        return _current.Book.Snapshot(AlwaysPersists);
    }

    public ValueTask<bool> RegisterAsync(ItNexus nexus, ulong key, ulong serviceActionKey, bool ignoreExisting, bool allTargetPorts, bool aptpl, List<ReservationNotice> notices, CancellationToken cancellationToken) =>
        ChangeAsync((book, raised) => book.Register(nexus, key, serviceActionKey, ignoreExisting, allTargetPorts, aptpl, raised), notices, abort: false, cancellationToken);

    public ValueTask<bool> ReserveAsync(ItNexus nexus, ulong key, PersistentReservationType type, CancellationToken cancellationToken) =>
        ChangeAsync((book, _) => book.Reserve(nexus, key, type), [], abort: false, cancellationToken);

    public ValueTask<bool> ReleaseAsync(ItNexus nexus, ulong key, PersistentReservationType type, List<ReservationNotice> notices, CancellationToken cancellationToken) =>
        ChangeAsync((book, raised) => book.Release(nexus, key, type, raised), notices, abort: false, cancellationToken);

    public ValueTask<bool> ClearAsync(ItNexus nexus, ulong key, List<ReservationNotice> notices, CancellationToken cancellationToken) =>
        ChangeAsync((book, raised) => book.Clear(nexus, key, raised), notices, abort: false, cancellationToken);

    public ValueTask<bool> PreemptAsync(ItNexus nexus, ulong key, ulong serviceActionKey, PersistentReservationType type, bool abort, List<ReservationNotice> notices, CancellationToken cancellationToken) =>
        ChangeAsync((book, raised) => book.Preempt(nexus, key, serviceActionKey, type, raised), notices, abort, cancellationToken);

    public ValueTask<bool> MoveAsync(ItNexus nexus, ulong key, ulong serviceActionKey, Registrant destination, bool unregister, bool aptpl, CancellationToken cancellationToken) =>
        ChangeAsync((book, _) => book.Move(nexus, key, serviceActionKey, destination, unregister, aptpl), [], abort: false, cancellationToken);

    public ValueTask<bool> ReserveLegacyAsync(ItNexus nexus, CancellationToken cancellationToken) =>
        ChangeAsync((book, _) => book.ReserveLegacy(_gateway, nexus), [], abort: false, cancellationToken);

    public ValueTask<bool> ReleaseLegacyAsync(ItNexus nexus, CancellationToken cancellationToken) =>
        ChangeAsync((book, _) => book.ReleaseLegacy(_gateway, nexus), [], abort: false, cancellationToken);

    /// <summary>
    /// I_T nexus loss of this gateway's nexus <paramref name="nexusId"/>: its SPC-2 reservation is
    /// released (SPC-2 7.21) and its prevention of medium removal ends (SBC-3 5.11). With a local store
    /// this completes before it returns; with a shared one it may finish in the background (a failure
    /// is reported through <paramref name="failed"/>: the reservation or prevention then stays until a
    /// logical unit reset or this gateway's restart). The task completes (never faults) once the shared
    /// store has the release, so a logout can answer after every gateway knows (RFC 7143 11.14: the
    /// response follows the cleanup).
    /// </summary>
    public Task EndNexus(long nexusId, Action<Exception> failed)
    {
        var book = _current.Book;
        var holdsLegacy = book.Legacy is { } held && held.NexusId == nexusId && held.Gateway == _gateway;
        var prevents = book.Preventions.Exists(p => p.Is(_gateway, nexusId));
        if (!holdsLegacy && !prevents)
        {
            return Task.CompletedTask;
        }

        if (holdsLegacy)
        {
            Volatile.Write(ref _endingLegacyNexus, nexusId);
        }

        if (prevents)
        {
            lock (_endingPreventions)
            {
                _endingPreventions.Add(nexusId);
            }
        }

        var pending = ChangeAsync(
            (b, _) =>
            {
                b.DropLegacy(h => h.NexusId == nexusId && h.Gateway == _gateway);
                b.DropPreventions(p => p.Is(_gateway, nexusId));
                return true;
            },
            [],
            abort: false,
            CancellationToken.None);
        if (!prevents)
        {
            return pending.IsCompletedSuccessfully ? Task.CompletedTask : ObserveAsync(pending, failed);
        }

        return pending.IsCompletedSuccessfully ? ForgetEnding(nexusId) : ForgetEndingAfterAsync(pending, nexusId, failed);
    }

    /// <summary>A store told of another writer's change: install it and raise its unit attentions for this gateway's nexuses.</summary>
    public void Changed(SharedStateImage image) => Install(image);

    public void AvailabilityChanged(bool available)
    {
        if (!available)
        {
            _servable = false;
            return;
        }

        StartReload();
    }

    private Task ForgetEnding(long nexusId)
    {
        lock (_endingPreventions)
        {
            _endingPreventions.Remove(nexusId);
        }

        return Task.CompletedTask;
    }

    private async Task ForgetEndingAfterAsync(ValueTask<bool> pending, long nexusId, Action<Exception> failed)
    {
        await ObserveAsync(pending, failed).ConfigureAwait(false);
        await ForgetEnding(nexusId).ConfigureAwait(false);
    }

    private bool IsEnding(MediumPrevention prevention)
    {
        if (!string.Equals(prevention.Gateway, _gateway, StringComparison.Ordinal))
        {
            return false;
        }

        lock (_endingPreventions)
        {
            return _endingPreventions.Contains(prevention.NexusId);
        }
    }

    /// <summary>
    /// Awaits a change nobody else awaits and reports its failure; the task itself never faults, so a
    /// caller may discard it or wait on it (a logout response) without an unobserved exception.
    /// </summary>
    private static async Task ObserveAsync(ValueTask<bool> pending, Action<Exception> failed)
    {
        Exception? error = null;
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error = e;
        }

        if (error is null)
        {
            return;
        }

        try
        {
            failed(error);
        }
        catch (Exception)
        {
            // A report that throws (a logger's sink) must not fault a task that is discarded.
        }
    }

    /// <summary>
    /// Read, compute, compare-and-swap; on a version conflict reload and compute again (bounded). The
    /// change runs on a copy, so a RESERVATION CONFLICT or a thrown CHECK CONDITION changes nothing. A
    /// change that leaves the stored form as it was is not written (and raises nothing).
    /// </summary>
    private async ValueTask<bool> ChangeAsync(Func<ReservationBook, List<ReservationNotice>, bool> change, List<ReservationNotice> notices, bool abort, CancellationToken cancellationToken)
    {
        CheckServable();
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var current = _current;
                var book = current.Book.Clone();
                notices.Clear();
                var done = change(book, notices);
                if (_store.IsShared)
                {
                    book.AddNotices(notices, abort);
                }

                var content = ReservationCodec.Encode(book);
                if (content.AsSpan().SequenceEqual(ReservationCodec.Encode(current.Book)))
                {
                    return done;
                }

                ulong? version;
                try
                {
                    version = await _store.TryReplaceAsync(current.Version, content, durable: book.Aptpl, cancellationToken).ConfigureAwait(false);
                }
                catch (SharedStateUnavailableException)
                {
                    // Whether the write landed is unknown: serve nothing until a reload says.
                    _servable = false;
                    StartReload();
                    throw new ScsiException(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleAsymmetricAccessStateTransition);
                }

                if (version is { } stored)
                {
                    Commit(book, stored, notices);
                    return done;
                }

                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }

            // Another gateway changed the state on every round: let the application client retry.
            throw new ScsiException(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleAsymmetricAccessStateTransition);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// Installs this gateway's own write and raises what it raised for this gateway's nexuses (the
    /// PREEMPT AND ABORT handler aborts this gateway's preempted tasks itself, sparing the issuer's).
    /// </summary>
    private void Commit(ReservationBook book, ulong version, List<ReservationNotice> notices)
    {
        lock (_installLock)
        {
            if (version > _current.Version)
            {
                _current = new Cached(book, version);
            }
        }

        if (_store.IsShared)
        {
            RaiseNew(book, allowAbort: false);
        }
        else
        {
            _raise(notices, false);
        }
    }

    private async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        SharedStateImage image;
        try
        {
            image = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SharedStateUnavailableException)
        {
            _servable = false;
            throw new ScsiException(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleAsymmetricAccessStateTransition);
        }

        Install(image);
        _servable = true;
    }

    private void Install(SharedStateImage image)
    {
        ReservationBook book;
        lock (_installLock)
        {
            if (image.Version <= _current.Version)
            {
                return;
            }

            try
            {
                book = ReservationCodec.Decode(image.Content.Span);
            }
            catch (InvalidDataException)
            {
                _servable = false;
                return;
            }

            _current = new Cached(book, image.Version);
        }

        RaiseNew(book, allowAbort: true);
    }

    /// <summary>Raises, once per gateway, the stored notices newer than the last raised here.</summary>
    private void RaiseNew(ReservationBook book, bool allowAbort)
    {
        List<ReservationNotice>? plain = null;
        List<ReservationNotice>? aborting = null;
        List<AdditionalSense>? unit = null;
        lock (_installLock)
        {
            foreach (var notice in book.Notices)
            {
                if (notice.Sequence <= _raisedThrough)
                {
                    continue;
                }

                _raisedThrough = notice.Sequence;
                if (notice.Origin is { } origin)
                {
                    // The gateway that received the MODE SELECT or the reset raised it for its own nexuses.
                    if (!string.Equals(origin, _gateway, StringComparison.Ordinal))
                    {
                        (unit ??= []).Add(notice.Sense);
                    }

                    continue;
                }

                var list = notice.Abort && allowAbort ? (aborting ??= []) : (plain ??= []);
                list.Add(new ReservationNotice(notice.Registrant, notice.Sense));
            }
        }

        if (unit is not null)
        {
            foreach (var sense in unit)
            {
                _raiseForUnit(sense);
            }
        }

        if (plain is not null)
        {
            _raise(plain, false);
        }

        if (aborting is not null)
        {
            _raise(aborting, true);
        }
    }

    /// <summary>
    /// Reloads in the background, at most one at a time, until the store answers. A request that comes
    /// while a reload runs (the store said it is reachable again while a reload that started before
    /// was failing) gets a round of its own, or the unit would stay NOT READY until its next command.
    /// </summary>
    private void StartReload()
    {
        Volatile.Write(ref _reloadRequested, 1);
        if (Interlocked.Exchange(ref _reloading, 1) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            while (true)
            {
                Volatile.Write(ref _reloadRequested, 0);
                try
                {
                    await RefreshAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (ScsiException)
                {
                    // Still unreachable: the next command or availability change tries again.
                }

                Volatile.Write(ref _reloading, 0);
                if (_servable || Volatile.Read(ref _reloadRequested) == 0 || Interlocked.Exchange(ref _reloading, 1) != 0)
                {
                    return;
                }
            }
        });
    }

    /// <summary>
    /// SPC-2 reservations and preventions of medium removal held through nexuses of an earlier run of
    /// this gateway: those nexuses are gone (I_T nexus loss), so the reservation (SPC-2 7.21) and the
    /// preventions (SBC-3 5.11) end.
    /// </summary>
    private void DropStaleNexuses(ReservationBook book)
    {
        var staleLegacy = book.Legacy is { } held && IsEarlierRun(held.Gateway);
        if (!staleLegacy && !book.Preventions.Exists(p => IsEarlierRun(p.Gateway)))
        {
            return;
        }

        var pending = ChangeAsync(
            (b, _) =>
            {
                b.DropLegacy(h => IsEarlierRun(h.Gateway));
                b.DropPreventions(p => IsEarlierRun(p.Gateway));
                return true;
            },
            [],
            abort: false,
            CancellationToken.None);
        if (!pending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(pending, _ => { });
        }
    }

    private bool IsEarlierRun(string gateway) => gateway != _gateway && GatewayName(gateway) == GatewayName(_gateway);

    private static string GatewayName(string gateway) => gateway[..Math.Max(0, gateway.LastIndexOf('#'))];

    private sealed record Cached(ReservationBook Book, ulong Version);
}
