namespace Storlane.Scsi;

/// <summary>
/// How a command meets reservations held through another I_T nexus (SPC-4 5.12.? table 62 for SPC
/// commands, SBC-3 4.17 table 13 for block commands), one value per command table entry.
/// </summary>
internal enum ReservationAccess
{
    /// <summary>Allowed under every reservation (INQUIRY, REPORT LUNS, REQUEST SENSE, REPORT SUPPORTED OPERATION CODES ...).</summary>
    Allowed,

    /// <summary>Allowed under persistent reservations, conflicts with an SPC-2 RESERVE (TEST UNIT READY, READ CAPACITY).</summary>
    Status,

    /// <summary>Reads the medium or mode data: allowed under Write Exclusive types, conflicts under Exclusive Access types.</summary>
    Read,

    /// <summary>Changes the medium or the unit's state: conflicts under every reservation type.</summary>
    Write,

    /// <summary>PERSISTENT RESERVE IN/OUT, RESERVE, RELEASE: the handler applies its own rules.</summary>
    Reservation,
}
