using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// One version of a logical unit's reservation state and the SPC-4 rules that change it: persistent
/// reservations (5.12: registrations, the reservation, PRGENERATION, APTPL), the SPC-2 RESERVE(6)/(10)
/// reservation, the mode parameters SPC-4 makes per logical unit (SWP of the Control mode page, the
/// one changeable mode parameter), the removable medium (loaded or not, and the I_T nexuses that
/// prevent its removal, SBC-3 5.11) and, for a shared store, the unit attentions changes raised for
/// other gateways. A book that <see cref="ReservationState"/> caches is never changed: each command
/// edits a <see cref="Clone"/> and the engine stores it by compare-and-swap. Methods that return false mean
/// RESERVATION CONFLICT; throwing leaves the clone half-edited, and it is dropped.
/// </summary>
internal sealed class ReservationBook
{
    /// <summary>How many raised notices a shared book keeps: enough for every gateway to read them (PR OUT is rare).</summary>
    public const int MaxNotices = 32;

    public static readonly ReservationBook Empty = new();

    public List<Registrant> Registrants { get; private init; } = [];

    public Registrant? Holder { get; private set; }

    public PersistentReservationType Type { get; private set; }

    public uint Generation { get; private set; }

    public bool Aptpl { get; private set; }

    public LegacyHolder? Legacy { get; private set; }

    /// <summary>
    /// SWP of the Control mode page (SPC-4 7.5.8): one value for the logical unit, shared by every I_T
    /// nexus of every gateway (TST 000b), so it lives beside the reservations.
    /// </summary>
    public bool SoftwareWriteProtect { get; set; }

    /// <summary>
    /// The removable medium is unloaded (START STOP UNIT LOEJ = 1, START = 0, SBC-3 5.25): one medium for
    /// the logical unit, so every gateway reports MEDIUM NOT PRESENT once any gateway ejected it.
    /// </summary>
    public bool MediumRemoved { get; set; }

    /// <summary>The I_T nexuses, of every gateway, that prevent removal of the medium (SBC-3 5.11).</summary>
    public List<MediumPrevention> Preventions { get; private init; } = [];

    public List<SharedNotice> Notices { get; private init; } = [];

    /// <summary>Any registration or reservation: the command path must check.</summary>
    public bool IsActive => Registrants.Count != 0 || Holder is not null || Legacy is not null;

    public long LastNoticeSequence => Notices.Count == 0 ? 0 : Notices[^1].Sequence;

    public ReservationBook Clone() => new()
    {
        Registrants = [.. Registrants],
        Holder = Holder,
        Type = Type,
        Generation = Generation,
        Aptpl = Aptpl,
        Legacy = Legacy,
        SoftwareWriteProtect = SoftwareWriteProtect,
        MediumRemoved = MediumRemoved,
        Preventions = [.. Preventions],
        Notices = [.. Notices],
    };

    /// <summary>For the codec: a book as stored.</summary>
    public static ReservationBook Restore(uint generation, List<Registrant> registrants, Registrant? holder, PersistentReservationType type, bool aptpl, LegacyHolder? legacy, bool softwareWriteProtect, List<SharedNotice> notices, bool mediumRemoved, List<MediumPrevention> preventions) => new()
    {
        SoftwareWriteProtect = softwareWriteProtect,
        MediumRemoved = mediumRemoved,
        Preventions = preventions,
        Registrants = registrants,
        Holder = holder,
        Type = type,
        Generation = generation,
        Aptpl = aptpl,
        Legacy = legacy,
        Notices = notices,
    };

    public ReservationSnapshot Snapshot(bool alwaysPersistent) => new(Generation, [.. Registrants], Holder, Type, Aptpl || alwaysPersistent);

    /// <summary>
    /// SPC-4 table 62 / SBC-3 table 13 for persistent reservations, SPC-2 7.21 for RESERVE (only
    /// INQUIRY, REPORT LUNS, REQUEST SENSE, REPORT SUPPORTED OPERATION CODES, REPORT TARGET PORT GROUPS
    /// and RELEASE pass it).
    /// </summary>
    public bool Conflicts(string gateway, ItNexus nexus, ReservationAccess access)
    {
        if (Legacy is { } legacy)
        {
            return !legacy.Is(gateway, nexus);
        }

        return PersistentConflicts(nexus, access);
    }

    /// <summary>SPC-4 table 62 / SBC-3 table 13 alone, as if no SPC-2 reservation were held.</summary>
    public bool PersistentConflicts(ItNexus nexus, ReservationAccess access)
    {
        if (Holder is null || IsHolder(nexus) || (Type.AdmitsRegistrants() && Find(nexus) is not null))
        {
            return false;
        }

        return access switch
        {
            ReservationAccess.Read => Type.IsExclusiveAccess(),
            ReservationAccess.Write => true,
            _ => false,
        };
    }

    public bool LegacyConflicts(string gateway, ItNexus nexus) => Legacy is { } legacy && !legacy.Is(gateway, nexus);

    /// <summary>
    /// SPC-4 5.12.7 REGISTER / REGISTER AND IGNORE EXISTING KEY. False for RESERVATION CONFLICT: an
    /// unregistered nexus with a non-zero RESERVATION KEY, or a registered one whose key differs (REGISTER only).
    /// </summary>
    public bool Register(ItNexus nexus, ulong key, ulong serviceActionKey, bool ignoreExisting, bool allTargetPorts, bool aptpl, List<ReservationNotice> notices)
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

            Registrants.Add(new Registrant(nexus.InitiatorPortName, nexus.RelativeTargetPortId, allTargetPorts, serviceActionKey));
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
                Registrants[Registrants.IndexOf(existing)] = changed;
                if (ReferenceEquals(Holder, existing))
                {
                    Holder = changed;
                }
            }
        }

        Generation++;
        Aptpl = aptpl;
        return true;
    }

    /// <summary>SPC-4 5.12.9 RESERVE. False: not registered with that key, or another holder / another type.</summary>
    public bool Reserve(ItNexus nexus, ulong key, PersistentReservationType type)
    {
        if (Find(nexus) is not { } registrant || registrant.Key != key)
        {
            return false;
        }

        if (Holder is not null)
        {
            // "If ... the I_T nexus ... holds the persistent reservation and the TYPE and SCOPE are the
            // same ... GOOD"; anything else held is a RESERVATION CONFLICT.
            return IsHolder(nexus) && Type == type;
        }

        Holder = registrant;
        Type = type;
        return true;
    }

    /// <summary>
    /// SPC-4 5.12.11.2 RELEASE. False: not registered with that key. A release by a nexus that holds no
    /// reservation is GOOD and changes nothing; a TYPE other than the reservation's is INVALID RELEASE
    /// OF PERSISTENT RESERVATION. Releasing a registrants-only or all-registrants reservation tells the
    /// other registrants: RESERVATIONS RELEASED.
    /// </summary>
    public bool Release(ItNexus nexus, ulong key, PersistentReservationType type, List<ReservationNotice> notices)
    {
        if (Find(nexus) is not { } registrant || registrant.Key != key)
        {
            return false;
        }

        if (Holder is null || !IsHolder(nexus))
        {
            return true;
        }

        if (type != Type)
        {
            throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.InvalidReleaseOfPersistentReservation);
        }

        ReleaseReservation(registrant, notices);
        return true;
    }

    /// <summary>SPC-4 5.12.11.6 CLEAR: every registration and the reservation go; the others get RESERVATIONS PREEMPTED.</summary>
    public bool Clear(ItNexus nexus, ulong key, List<ReservationNotice> notices)
    {
        if (Find(nexus) is not { } registrant || registrant.Key != key)
        {
            return false;
        }

        foreach (var other in Registrants)
        {
            if (!other.Matches(registrant))
            {
                notices.Add(new ReservationNotice(other, AdditionalSense.ReservationsPreempted));
            }
        }

        Registrants.Clear();
        Holder = null;
        Generation++;
        Aptpl = false;
        return true;
    }

    /// <summary>
    /// SPC-4 5.12.11.4 PREEMPT (and PREEMPT AND ABORT, whose handler then aborts the preempted nexuses'
    /// tasks). False for RESERVATION CONFLICT: the issuer is not registered with RESERVATION KEY, or no
    /// registration carries SERVICE ACTION RESERVATION KEY when that is what would be removed. Preempted
    /// registrants get REGISTRATIONS PREEMPTED.
    /// </summary>
    public bool Preempt(ItNexus nexus, ulong key, ulong serviceActionKey, PersistentReservationType type, List<ReservationNotice> notices)
    {
        if (Find(nexus) is not { } issuer || issuer.Key != key)
        {
            return false;
        }

        if (Holder is not null && Type.IsAllRegistrants() && serviceActionKey == 0)
        {
            // 5.12.11.4.4: all-registrants reservation, key 0: every other registration goes and the
            // issuer holds a new reservation of the requested type.
            RemoveWhere(r => !r.Matches(issuer), notices);
            Holder = issuer;
            Type = type;
        }
        else if (Holder is not null && !Type.IsAllRegistrants() && serviceActionKey == Holder.Key)
        {
            // 5.12.11.4.3: preempting the holder: its key's registrations (other than the issuer's)
            // go, and the issuer takes the reservation with the requested type.
            RemoveWhere(r => r.Key == serviceActionKey && !r.Matches(issuer), notices);
            Holder = issuer;
            Type = type;
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

        Generation++;
        return true;
    }

    /// <summary>
    /// SPC-4 5.12.8 REGISTER AND MOVE: the holder registers <paramref name="destination"/> with the
    /// service action key and hands it the reservation (same type); UNREG = 1 drops the issuer's
    /// registration. False for RESERVATION CONFLICT: the issuer is not registered with that key, does
    /// not hold the reservation, or it is an all-registrants reservation.
    /// </summary>
    public bool Move(ItNexus nexus, ulong key, ulong serviceActionKey, Registrant destination, bool unregister, bool aptpl)
    {
        if (Find(nexus) is not { } issuer || issuer.Key != key || Holder is null || Type.IsAllRegistrants() || !IsHolder(nexus))
        {
            return false;
        }

        if (destination.Matches(issuer))
        {
            ScsiErrors.InvalidFieldInParameterList(24);
        }

        var index = Registrants.FindIndex(destination.Matches);
        var moved = destination with { Key = serviceActionKey };
        if (index >= 0)
        {
            Registrants[index] = moved;
        }
        else
        {
            Registrants.Add(moved);
        }

        Holder = moved;
        if (unregister)
        {
            Registrants.Remove(issuer);
        }

        Generation++;
        Aptpl = aptpl;
        return true;
    }

    /// <summary>
    /// SPC-2 RESERVE(6)/(10). False for RESERVATION CONFLICT: another nexus holds it, or persistent
    /// reservations are in use (SPC-4 5.12.3, CRH = 1: RESERVE and RELEASE conflict with any
    /// registration or persistent reservation).
    /// </summary>
    public bool ReserveLegacy(string gateway, ItNexus nexus)
    {
        if (Registrants.Count != 0 || Holder is not null || (Legacy is { } held && !held.Is(gateway, nexus)))
        {
            return false;
        }

        Legacy ??= new LegacyHolder(gateway, nexus.Id, nexus.InitiatorPortName, nexus.RelativeTargetPortId);
        return true;
    }

    /// <summary>SPC-2 RELEASE(6)/(10): only the holder's release has an effect; another nexus's is GOOD and a no-op.</summary>
    public bool ReleaseLegacy(string gateway, ItNexus nexus)
    {
        if (Registrants.Count != 0 || Holder is not null)
        {
            return false;
        }

        if (Legacy is { } held && held.Is(gateway, nexus))
        {
            Legacy = null;
        }

        return true;
    }

    /// <summary>
    /// Ends the SPC-2 reservation when <paramref name="ends"/> says its holder's nexus is gone or reset
    /// (SPC-2 7.21: LOGICAL UNIT RESET, target reset, I_T nexus loss; a gateway restart loses every nexus it had).
    /// </summary>
    public bool DropLegacy(Func<LegacyHolder, bool> ends)
    {
        if (Legacy is { } held && ends(held))
        {
            Legacy = null;
        }

        return true;
    }

    /// <summary>
    /// SBC-3 5.11 PREVENT ALLOW MEDIUM REMOVAL from one I_T nexus of <paramref name="gateway"/>: PREVENT
    /// 01b adds its prevention (once), 00b removes it; the others' stay.
    /// </summary>
    public void SetPrevention(string gateway, ItNexus nexus, bool prevent)
    {
        var index = Preventions.FindIndex(p => p.Is(gateway, nexus.Id));
        if (prevent && index < 0)
        {
            Preventions.Add(new MediumPrevention(gateway, nexus.Id, nexus.InitiatorPortName, nexus.RelativeTargetPortId));
        }
        else if (!prevent && index >= 0)
        {
            Preventions.RemoveAt(index);
        }
    }

    /// <summary>
    /// START STOP UNIT LOEJ = 1: unloads or loads the medium. SBC-3 5.11: refused with ILLEGAL REQUEST,
    /// MEDIUM REMOVAL PREVENTED while any nexus of any gateway prevents removal. True when the medium
    /// went from absent to present (NOT READY TO READY CHANGE for the other nexuses).
    /// </summary>
    public bool LoadOrUnload(bool load)
    {
        if (Preventions.Count != 0)
        {
            ScsiErrors.MediumRemovalPrevented();
        }

        var loaded = load && MediumRemoved;
        MediumRemoved = !load;
        return loaded;
    }

    /// <summary>
    /// Ends the preventions <paramref name="ends"/> names: their I_T nexus is gone (I_T nexus loss, a
    /// gateway restart) or a logical unit reset or hard reset ended them all (SBC-3 5.11).
    /// </summary>
    public void DropPreventions(Predicate<MediumPrevention> ends) => Preventions.RemoveAll(ends);

    /// <summary>Appends the notices a change raised, numbered after the last, keeping the newest <see cref="MaxNotices"/>.</summary>
    public void AddNotices(List<ReservationNotice> raised, bool abort)
    {
        var sequence = LastNoticeSequence;
        foreach (var notice in raised)
        {
            var r = notice.Registrant;
            Notices.Add(new SharedNotice(++sequence, notice.Sense, abort && notice.Sense == AdditionalSense.RegistrationsPreempted, r.InitiatorPortName, r.RelativeTargetPortId, r.AllTargetPorts));
        }

        if (Notices.Count > MaxNotices)
        {
            Notices.RemoveRange(0, Notices.Count - MaxNotices);
        }
    }

    /// <summary>
    /// Appends a notice of the logical unit itself (<see cref="SharedNotice.Origin"/>): every other
    /// gateway raises <paramref name="sense"/> for all its I_T nexuses of the unit.
    /// </summary>
    public void AddUnitNotice(AdditionalSense sense, string origin)
    {
        Notices.Add(new SharedNotice(LastNoticeSequence + 1, sense, Abort: false, InitiatorPortName: "", RelativeTargetPortId: 0, AllTargetPorts: true, origin));
        if (Notices.Count > MaxNotices)
        {
            Notices.RemoveRange(0, Notices.Count - MaxNotices);
        }
    }

    private Registrant? Find(ItNexus nexus)
    {
        foreach (var registrant in Registrants)
        {
            if (registrant.Matches(nexus))
            {
                return registrant;
            }
        }

        return null;
    }

    private bool IsHolder(ItNexus nexus) =>
        Holder is not null && (Type.IsAllRegistrants() ? Find(nexus) is not null : Holder.Matches(nexus));

    /// <summary>
    /// SPC-4 5.12.11.2: unregistering the holder of a WE/EA/RO reservation releases it (RO: the others
    /// get RESERVATIONS RELEASED); an all-registrants reservation ends with its last registrant.
    /// </summary>
    private void Unregister(Registrant registrant, List<ReservationNotice> notices)
    {
        Registrants.Remove(registrant);
        if (Holder is null)
        {
            return;
        }

        if (Type.IsAllRegistrants())
        {
            if (Registrants.Count == 0)
            {
                Holder = null;
            }
            else if (ReferenceEquals(Holder, registrant))
            {
                Holder = Registrants[0];
            }
        }
        else if (ReferenceEquals(Holder, registrant))
        {
            ReleaseReservation(registrant, notices);
        }
    }

    private void ReleaseReservation(Registrant releaser, List<ReservationNotice> notices)
    {
        if (Type.AdmitsRegistrants())
        {
            foreach (var other in Registrants)
            {
                if (!other.Matches(releaser))
                {
                    notices.Add(new ReservationNotice(other, AdditionalSense.ReservationsReleased));
                }
            }
        }

        Holder = null;
    }

    private int RemoveWhere(Predicate<Registrant> match, List<ReservationNotice> notices)
    {
        var removed = 0;
        for (var i = Registrants.Count - 1; i >= 0; i--)
        {
            if (match(Registrants[i]))
            {
                notices.Add(new ReservationNotice(Registrants[i], AdditionalSense.RegistrationsPreempted));
                Registrants.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }
}
