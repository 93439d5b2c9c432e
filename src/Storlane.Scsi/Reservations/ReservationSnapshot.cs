namespace Storlane.Scsi;

/// <summary>A consistent copy of a logical unit's reservation state, for PERSISTENT RESERVE IN and APTPL files.</summary>
internal sealed record ReservationSnapshot(
    uint Generation,
    IReadOnlyList<Registrant> Registrants,
    Registrant? Holder,
    PersistentReservationType Type,
    bool Aptpl)
{
    public bool IsReserved => Holder is not null;

    /// <summary>R_HOLDER of READ FULL STATUS: every registrant under an all-registrants type, else the one holder.</summary>
    public bool IsHolder(Registrant registrant) =>
        Holder is not null && (Type.IsAllRegistrants() || registrant.Matches(Holder));
}
