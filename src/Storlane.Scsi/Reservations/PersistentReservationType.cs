namespace Storlane.Scsi;

/// <summary>SPC-4 6.16.2 table 169: persistent reservation TYPE codes.</summary>
public enum PersistentReservationType : byte
{
    WriteExclusive = 0x1,
    ExclusiveAccess = 0x3,
    WriteExclusiveRegistrantsOnly = 0x5,
    ExclusiveAccessRegistrantsOnly = 0x6,
    WriteExclusiveAllRegistrants = 0x7,
    ExclusiveAccessAllRegistrants = 0x8,
}

internal static class PersistentReservationTypes
{
    public static bool IsValid(int type) => type is 1 or 3 or 5 or 6 or 7 or 8;

    /// <summary>WEAR / EAAR: every registered I_T nexus is a reservation holder (SPC-4 5.12.10).</summary>
    public static bool IsAllRegistrants(this PersistentReservationType type) =>
        type is PersistentReservationType.WriteExclusiveAllRegistrants or PersistentReservationType.ExclusiveAccessAllRegistrants;

    /// <summary>Types other than WE/EA let every registered I_T nexus access the unit (SPC-4 table 63).</summary>
    public static bool AdmitsRegistrants(this PersistentReservationType type) =>
        type is not (PersistentReservationType.WriteExclusive or PersistentReservationType.ExclusiveAccess);

    /// <summary>EA, EARO, EAAR: reads from other I_T nexuses conflict too.</summary>
    public static bool IsExclusiveAccess(this PersistentReservationType type) =>
        type is PersistentReservationType.ExclusiveAccess or PersistentReservationType.ExclusiveAccessRegistrantsOnly or PersistentReservationType.ExclusiveAccessAllRegistrants;
}
