namespace Storlane.Scsi;

/// <summary>
/// Reservations of one logical unit: persistent reservations (SPC-4 5.12: registrations, the
/// reservation, PRGENERATION, APTPL) and the SPC-2 RESERVE(6)/(10) reservation. One lock guards it;
/// the command path reads one volatile flag when nothing is registered or reserved. Resets do not
/// touch persistent reservations (SPC-4 5.12.1: they are "retained ... by the device server" across
/// resets and I_T nexus loss); they release an SPC-2 reservation (SPC-2 7.21).
/// </summary>
internal sealed class ReservationState
{
    private readonly Lock _lock = new();
    private readonly List<Registrant> _registrants = [];
    private readonly ReservationStore? _store;
    private Registrant? _holder;
    private PersistentReservationType _type;
    private uint _generation;
    private bool _aptpl;
    private ItNexus? _legacyHolder;
    private volatile bool _active;

    public ReservationState(string? persistencePath)
    {
        if (persistencePath is null)
        {
            return;
        }

        _store = new ReservationStore(persistencePath);
        if (_store.Load() is { } saved)
        {
            _registrants.AddRange(saved.Registrants);
            _holder = saved.Holder;
            _type = saved.Type;
            _generation = saved.Generation;
            _aptpl = true;
            UpdateActive();
        }
    }

    /// <summary>PTPL_C of REPORT CAPABILITIES: APTPL = 1 is honoured only with somewhere to persist to.</summary>
    public bool CanPersist => _store is not null;

    /// <summary>
    /// True when the command must end in RESERVATION CONFLICT: SPC-4 table 62 / SBC-3 table 13 for
    /// persistent reservations, SPC-2 7.21 for RESERVE (only INQUIRY, REPORT LUNS, REQUEST SENSE,
    /// REPORT SUPPORTED OPERATION CODES, REPORT TARGET PORT GROUPS and RELEASE pass it).
    /// </summary>
    public bool Conflicts(ItNexus nexus, ReservationAccess access)
    {
        if (!_active || access is ReservationAccess.Allowed or ReservationAccess.Reservation)
        {
            return false;
        }

        lock (_lock)
        {
            if (_legacyHolder is { } legacy)
            {
                return legacy.Id != nexus.Id;
            }

            if (_holder is null || IsHolder(nexus) || (_type.AdmitsRegistrants() && Find(nexus) is not null))
            {
                return false;
            }

            return access switch
            {
                ReservationAccess.Read => _type.IsExclusiveAccess(),
                ReservationAccess.Write => true,
                _ => false,
            };
        }
    }

    /// <summary>A persistent reservation or registration, or an SPC-2 reservation held through another nexus.</summary>
    public bool LegacyConflicts(ItNexus nexus)
    {
        lock (_lock)
        {
            return _legacyHolder is { } legacy && legacy.Id != nexus.Id;
        }
    }

    public ReservationSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new ReservationSnapshot(_generation, [.. _registrants], _holder, _type, _aptpl);
        }
    }

    /// <summary>
    /// SPC-4 5.12.7 REGISTER / REGISTER AND IGNORE EXISTING KEY. Returns false for RESERVATION CONFLICT:
    /// an unregistered nexus with a non-zero RESERVATION KEY, or a registered one whose key differs (REGISTER only).
    /// </summary>
    public bool Register(ItNexus nexus, ulong key, ulong serviceActionKey, bool ignoreExisting, bool allTargetPorts, bool aptpl, List<ReservationNotice> notices)
    {
        lock (_lock)
        {
            var existing = Find(nexus);
            if (existing is null)
            {
                if (!ignoreExisting && key != 0)
                {
                    return false;
                }

                if (serviceActionKey == 0)
                {
                    // "... the device server shall ... complete the command with GOOD status" (nothing to unregister).
                    return true;
                }

                _registrants.Add(new Registrant(nexus.InitiatorPortName, nexus.RelativeTargetPortId, allTargetPorts, serviceActionKey));
            }
            else
            {
                if (!ignoreExisting && key != existing.Key)
                {
                    return false;
                }

                if (serviceActionKey == 0)
                {
                    Unregister(existing, notices);
                }
                else
                {
                    var changed = existing with { Key = serviceActionKey };
                    _registrants[_registrants.IndexOf(existing)] = changed;
                    if (ReferenceEquals(_holder, existing))
                    {
                        _holder = changed;
                    }
                }
            }

            _generation++;
            _aptpl = aptpl && CanPersist;
            Changed();
            return true;
        }
    }

    /// <summary>SPC-4 5.12.9 RESERVE. False: not registered with that key, or another holder / another type.</summary>
    public bool Reserve(ItNexus nexus, ulong key, PersistentReservationType type)
    {
        lock (_lock)
        {
            if (Find(nexus) is not { } registrant || registrant.Key != key)
            {
                return false;
            }

            if (_holder is not null)
            {
                // "If ... the I_T nexus ... holds the persistent reservation and the TYPE and SCOPE are the
                // same ... GOOD"; anything else held is a RESERVATION CONFLICT.
                return IsHolder(nexus) && _type == type;
            }

            _holder = registrant;
            _type = type;
            Changed();
            return true;
        }
    }

    /// <summary>
    /// SPC-4 5.12.11.2 RELEASE. False: not registered with that key. A release by a nexus that holds no
    /// reservation is GOOD and changes nothing; a TYPE other than the reservation's is INVALID RELEASE
    /// OF PERSISTENT RESERVATION. Releasing a registrants-only or all-registrants reservation tells the
    /// other registrants: RESERVATIONS RELEASED.
    /// </summary>
    public bool Release(ItNexus nexus, ulong key, PersistentReservationType type, List<ReservationNotice> notices)
    {
        lock (_lock)
        {
            if (Find(nexus) is not { } registrant || registrant.Key != key)
            {
                return false;
            }

            if (_holder is null || !IsHolder(nexus))
            {
                return true;
            }

            if (type != _type)
            {
                throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.InvalidReleaseOfPersistentReservation);
            }

            ReleaseReservation(registrant, notices);
            Changed();
            return true;
        }
    }

    /// <summary>SPC-4 5.12.11.6 CLEAR: every registration and the reservation go; the others get RESERVATIONS PREEMPTED.</summary>
    public bool Clear(ItNexus nexus, ulong key, List<ReservationNotice> notices)
    {
        lock (_lock)
        {
            if (Find(nexus) is not { } registrant || registrant.Key != key)
            {
                return false;
            }

            foreach (var other in _registrants)
            {
                if (!other.Matches(registrant))
                {
                    notices.Add(new ReservationNotice(other, AdditionalSense.ReservationsPreempted));
                }
            }

            _registrants.Clear();
            _holder = null;
            _generation++;
            _aptpl = false;
            Changed();
            return true;
        }
    }

    /// <summary>
    /// SPC-4 5.12.11.4 PREEMPT (and PREEMPT AND ABORT, whose handler then aborts the preempted nexuses' tasks). False
    /// for RESERVATION CONFLICT: the issuer is not registered with RESERVATION KEY, or no registration
    /// carries SERVICE ACTION RESERVATION KEY when that is what would be removed. Preempted registrants
    /// get REGISTRATIONS PREEMPTED.
    /// </summary>
    public bool Preempt(ItNexus nexus, ulong key, ulong serviceActionKey, PersistentReservationType type, List<ReservationNotice> notices)
    {
        lock (_lock)
        {
            if (Find(nexus) is not { } issuer || issuer.Key != key)
            {
                return false;
            }

            if (_holder is not null && _type.IsAllRegistrants() && serviceActionKey == 0)
            {
                // 5.12.11.4.4: all-registrants reservation, key 0: every other registration goes and the
                // issuer holds a new reservation of the requested type.
                RemoveWhere(r => !r.Matches(issuer), notices);
                _holder = issuer;
                _type = type;
            }
            else if (_holder is not null && !_type.IsAllRegistrants() && serviceActionKey == _holder.Key)
            {
                // 5.12.11.4.3: preempting the holder: its key's registrations (other than the issuer's)
                // go, and the issuer takes the reservation with the requested type.
                RemoveWhere(r => r.Key == serviceActionKey && !r.Matches(issuer), notices);
                _holder = issuer;
                _type = type;
            }
            else
            {
                // 5.12.11.4.2 / .5: no reservation affected: remove the registrations with that key.
                if (serviceActionKey == 0)
                {
                    ScsiErrors.InvalidFieldInParameterList(8);
                }

                if (RemoveWhere(r => r.Key == serviceActionKey && !r.Matches(issuer), notices) == 0)
                {
                    return false;
                }
            }

            _generation++;
            Changed();
            return true;
        }
    }

    /// <summary>
    /// SPC-4 5.12.8 REGISTER AND MOVE: the holder registers <paramref name="destination"/> with the
    /// service action key and hands it the reservation (same type); UNREG = 1 drops the issuer's
    /// registration. False for RESERVATION CONFLICT: the issuer is not registered with that key, does
    /// not hold the reservation, or it is an all-registrants reservation.
    /// </summary>
    public bool Move(ItNexus nexus, ulong key, ulong serviceActionKey, Registrant destination, bool unregister, bool aptpl)
    {
        lock (_lock)
        {
            if (Find(nexus) is not { } issuer || issuer.Key != key || _holder is null || _type.IsAllRegistrants() || !IsHolder(nexus))
            {
                return false;
            }

            if (destination.Matches(issuer))
            {
                ScsiErrors.InvalidFieldInParameterList(24);
            }

            var index = _registrants.FindIndex(destination.Matches);
            var moved = destination with { Key = serviceActionKey };
            if (index >= 0)
            {
                _registrants[index] = moved;
            }
            else
            {
                _registrants.Add(moved);
            }

            _holder = moved;
            if (unregister)
            {
                _registrants.Remove(issuer);
            }

            _generation++;
            _aptpl = aptpl && CanPersist;
            Changed();
            return true;
        }
    }

    /// <summary>
    /// SPC-2 RESERVE(6)/(10). False for RESERVATION CONFLICT: another nexus holds it, or persistent
    /// reservations are in use (SPC-4 5.12.3, CRH = 1: RESERVE and RELEASE conflict with any
    /// registration or persistent reservation).
    /// </summary>
    public bool ReserveLegacy(ItNexus nexus)
    {
        lock (_lock)
        {
            if (_registrants.Count != 0 || _holder is not null || (_legacyHolder is { } held && held.Id != nexus.Id))
            {
                return false;
            }

            _legacyHolder = nexus;
            UpdateActive();
            return true;
        }
    }

    /// <summary>SPC-2 RELEASE(6)/(10): only the holder's release has an effect; another nexus's is GOOD and a no-op.</summary>
    public bool ReleaseLegacy(ItNexus nexus)
    {
        lock (_lock)
        {
            if (_registrants.Count != 0 || _holder is not null)
            {
                return false;
            }

            if (_legacyHolder?.Id == nexus.Id)
            {
                _legacyHolder = null;
                UpdateActive();
            }

            return true;
        }
    }

    /// <summary>LOGICAL UNIT RESET, target reset or I_T nexus loss (<paramref name="nexusId"/>): the SPC-2 reservation is released.</summary>
    public void DropLegacy(long? nexusId = null)
    {
        lock (_lock)
        {
            if (_legacyHolder is { } held && (nexusId is null || held.Id == nexusId))
            {
                _legacyHolder = null;
                UpdateActive();
            }
        }
    }

    private Registrant? Find(ItNexus nexus)
    {
        foreach (var registrant in _registrants)
        {
            if (registrant.Matches(nexus))
            {
                return registrant;
            }
        }

        return null;
    }

    private bool IsHolder(ItNexus nexus) =>
        _holder is not null && (_type.IsAllRegistrants() ? Find(nexus) is not null : _holder.Matches(nexus));

    /// <summary>
    /// SPC-4 5.12.11.2.? Unregistering: the holder of a WE/EA/RO reservation releases it (RO: the others
    /// get RESERVATIONS RELEASED); an all-registrants reservation ends with its last registrant.
    /// </summary>
    private void Unregister(Registrant registrant, List<ReservationNotice> notices)
    {
        _registrants.Remove(registrant);
        if (_holder is null)
        {
            return;
        }

        if (_type.IsAllRegistrants())
        {
            if (_registrants.Count == 0)
            {
                _holder = null;
            }
            else if (ReferenceEquals(_holder, registrant))
            {
                _holder = _registrants[0];
            }
        }
        else if (ReferenceEquals(_holder, registrant))
        {
            ReleaseReservation(registrant, notices);
        }
    }

    private void ReleaseReservation(Registrant releaser, List<ReservationNotice> notices)
    {
        if (_type.AdmitsRegistrants())
        {
            foreach (var other in _registrants)
            {
                if (!other.Matches(releaser))
                {
                    notices.Add(new ReservationNotice(other, AdditionalSense.ReservationsReleased));
                }
            }
        }

        _holder = null;
    }

    private int RemoveWhere(Predicate<Registrant> match, List<ReservationNotice> notices)
    {
        var removed = 0;
        for (var i = _registrants.Count - 1; i >= 0; i--)
        {
            if (match(_registrants[i]))
            {
                notices.Add(new ReservationNotice(_registrants[i], AdditionalSense.RegistrationsPreempted));
                _registrants.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// Called under the lock after each change. Writing the APTPL file under the lock keeps file and
    /// memory in the same order of changes; PERSISTENT RESERVE OUT is rare, so the wait is acceptable.
    /// </summary>
    private void Changed()
    {
        UpdateActive();
        _store?.Save(new ReservationSnapshot(_generation, [.. _registrants], _holder, _type, _aptpl));
    }

    private void UpdateActive() => _active = _registrants.Count != 0 || _holder is not null || _legacyHolder is not null;
}
