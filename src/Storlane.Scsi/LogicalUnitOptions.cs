namespace Storlane.Scsi;

/// <summary>
/// How a logical unit identifies itself and the limits it advertises. Read once when the unit is
/// added (<see cref="ScsiTargetDevice.AddLogicalUnit"/>); later changes to this object have no effect.
/// </summary>
public sealed class LogicalUnitOptions
{
    public const string DefaultVendor = "STORLANE";
    public const string DefaultProduct = "Storlane LUN";
    public const string DefaultRevision = "0001";

    /// <summary>T10 VENDOR IDENTIFICATION, at most 8 printable ASCII characters (SPC-4 6.6.2).</summary>
    public string Vendor { get; set; } = DefaultVendor;

    /// <summary>PRODUCT IDENTIFICATION, at most 16 printable ASCII characters.</summary>
    public string Product { get; set; } = DefaultProduct;

    /// <summary>PRODUCT REVISION LEVEL, at most 4 printable ASCII characters.</summary>
    public string Revision { get; set; } = DefaultRevision;

    /// <summary>
    /// PRODUCT SERIAL NUMBER of VPD page 80h (printable ASCII, at most 64 characters). When null the
    /// serial is the 16 hexadecimal digits of <see cref="NaaIdentifier"/>, so it is stable too.
    /// </summary>
    public string? Serial { get; set; }

    /// <summary>Refuse writes with DATA PROTECT, WRITE PROTECTED, and set WP in the mode parameter header.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// A removable medium (INQUIRY RMB = 1): PREVENT ALLOW MEDIUM REMOVAL is supported, and START STOP
    /// UNIT with LOEJ = 1 unloads and loads the medium. While it is unloaded, commands that access the
    /// medium get NOT READY, MEDIUM NOT PRESENT; the data stays on the device. Default false.
    /// </summary>
    public bool Removable { get; set; }

    /// <summary>
    /// The 8-byte NAA designator of VPD page 83h, written as given (callers that own an IEEE OUI can
    /// pass an NAA 5 value). When null, Storlane derives an NAA 3h "locally assigned" identifier
    /// (SPC-4 7.8.6.6.3): the top nibble is 3 and the other 60 bits are the first bits of
    /// SHA-256(UTF-8("target name" + "/" + LUN in decimal)), so the same target name and LUN always
    /// get the same identifier and multipath software sees one device through every portal. NAA 6
    /// (IEEE Registered Extended) is not used: it is 16 bytes and needs an IEEE company id we do not own.
    /// </summary>
    public ulong? NaaIdentifier { get; set; }

    /// <summary>
    /// What the NAA 3h designator is derived from instead of "target name/LUN", when the data has an
    /// identity of its own that outlives any one target: an RBD image's cluster, pool and image id.
    /// Two gateways exporting the same image then report the same logical unit in VPD page 83h
    /// (and the same serial in 80h), so multipath software sees one device through all of them.
    /// Ignored when <see cref="NaaIdentifier"/> is set.
    /// </summary>
    public string? IdentitySource { get; set; }

    /// <summary>Largest READ/WRITE/VERIFY in bytes (Block Limits VPD MAXIMUM TRANSFER LENGTH); rounded down to blocks.</summary>
    public int MaxTransferBytes { get; set; } = 8 << 20;

    /// <summary>MAXIMUM UNMAP LBA COUNT: the most blocks one UNMAP command may deallocate.</summary>
    public uint MaxUnmapLbaCount { get; set; } = 1 << 20;

    /// <summary>MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT.</summary>
    public uint MaxUnmapDescriptorCount { get; set; } = 256;

    /// <summary>
    /// MAXIMUM WRITE SAME LENGTH in blocks (also bounds WRITE SAME with NUMBER OF LOGICAL BLOCKS 0).
    /// Null: the MAXIMUM TRANSFER LENGTH, so one WRITE SAME does no more work on the medium than one
    /// WRITE may (LIO reports 4096 blocks for the same reason); large ranges are for UNMAP.
    /// </summary>
    public ulong? MaxWriteSameBlocks { get; set; }

    /// <summary>
    /// The most bytes per second a SANITIZE OVERWRITE writes, so a sanitize does not take the whole disk
    /// or pool from the other units on it (like md's sync_speed_max for a rebuild); 0 = as fast as the
    /// device goes. The unit is NOT READY, SANITIZE IN PROGRESS for as long as the operation runs.
    /// </summary>
    public long SanitizeBytesPerSecond { get; set; }

    /// <summary>
    /// Where a SANITIZE in progress is journaled (typically the image path plus ".sanitize"), so one
    /// interrupted by a stop or a crash resumes when the unit is added again (SBC-3 4.11.1). Null: a
    /// sanitize ends with the process (a memory unit's data does too).
    /// </summary>
    public string? SanitizeStatePath { get; set; }

    /// <summary>
    /// Where persistent reservations are kept when an application client registers with APTPL = 1
    /// (SPC-4 5.12.5), so registrations and the reservation survive a restart of the target. Null: no
    /// persistence; REPORT CAPABILITIES then says PTPL_C = 0 and APTPL = 1 is refused. A file LUN would
    /// typically use its image path plus ".pr".
    /// </summary>
    public string? ReservationStatePath { get; set; }

    /// <summary>
    /// Where reservation state lives when several gateways serve this unit (one RADOS object per LU):
    /// registrations, the reservation, RESERVE/RELEASE and the unit attentions they raise, shared by
    /// compare-and-swap. Null: this process alone (<see cref="LocalLuSharedState"/> over
    /// <see cref="ReservationStatePath"/>).
    /// </summary>
    public ILuSharedState? SharedState { get; set; }

    internal LogicalUnitOptions Clone() => (LogicalUnitOptions)MemberwiseClone();
}
