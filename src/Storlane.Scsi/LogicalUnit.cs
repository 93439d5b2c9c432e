using System.Globalization;
using Storlane.Storage;

namespace Storlane.Scsi;

/// <summary>
/// One logical unit of a <see cref="ScsiTargetDevice"/>: an SBC-3 direct-access block device over an
/// <see cref="IBlockDevice"/>. Created by <see cref="ScsiTargetDevice.AddLogicalUnit"/>; the commands
/// it answers are those of the command table (see <c>Commands/CommandTable.cs</c>).
/// </summary>
public sealed class LogicalUnit
{
    private volatile bool _readOnly;
    private volatile bool _offline;
    private int _sanitizeInProgress;
    private int _sanitizeProgress;
    private int _sanitizeFailure;
    private long _blockCount;

    internal LogicalUnit(ScsiTargetDevice target, ulong lun, IBlockDevice device, LogicalUnitOptions options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        Target = target;
        Lun = lun;
        Device = device;
        Options = options;
        var geometry = device.Geometry;
        BlockSize = geometry.LogicalBlockSize;
        _blockCount = geometry.BlockCount;
        LogicalPerPhysicalExponent = geometry.LogicalPerPhysicalExponent;
        NaaIdentifier = options.NaaIdentifier
            ?? (options.IdentitySource is { } source ? LogicalUnitIdentity.DeriveNaa(source) : LogicalUnitIdentity.DeriveNaa(target.TargetName, lun));
        Serial = options.Serial ?? NaaIdentifier.ToString("X16", CultureInfo.InvariantCulture);
        VendorField = LogicalUnitIdentity.PaddedAscii(options.Vendor, 8, nameof(options.Vendor));
        ProductField = LogicalUnitIdentity.PaddedAscii(options.Product, 16, nameof(options.Product));
        RevisionField = LogicalUnitIdentity.PaddedAscii(options.Revision, 4, nameof(options.Revision));
        SerialField = LogicalUnitIdentity.Ascii(Serial, 64, nameof(options.Serial));
        _readOnly = options.ReadOnly || (device.Features & BlockDeviceFeatures.ReadOnly) != 0;
        SupportsUnmap = (device.Features & BlockDeviceFeatures.Unmap) != 0;
        SupportsCryptoErase = device is Storage.Encryption.ICryptoErasable;
        IsRemovable = options.Removable;
        HasVolatileWriteCache = (device.Features & BlockDeviceFeatures.VolatileWriteCache) != 0;
        if (device is ICompareAndWriteDevice { MaxCompareAndWriteBlocks: > 0 } atomic)
        {
            AtomicCompareDevice = atomic;
            CompareAndWriteLimit = (byte)Math.Min(MaxCompareAndWriteBlocks, atomic.MaxCompareAndWriteBlocks);
        }
        else
        {
            CompareAndWriteLimit = MaxCompareAndWriteBlocks;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTransferBytes, BlockSize, nameof(options.MaxTransferBytes));
        MaxTransferBlocks = (uint)(options.MaxTransferBytes / BlockSize);
        MaxUnmapLbaCount = options.MaxUnmapLbaCount;
        MaxUnmapDescriptorCount = options.MaxUnmapDescriptorCount;
        MaxWriteSameBlocks = options.MaxWriteSameBlocks ?? MaxTransferBlocks;
        MaxAtomicTransferBlocks = Math.Min(MaxTransferBlocks, (uint)(MaxAtomicTransferBytes / BlockSize));
        Reservations = new ReservationState(
            options.SharedState ?? new LocalLuSharedState(options.ReservationStatePath),
            target.GatewayIdentity,
            (notices, abort) => target.Notify(this, notices, abort),
            sense => target.RaiseFromOtherGateway(this, sense));
        PersistentReservations = new PersistentReservationPort(Reservations);
        SanitizeJournal = options.SanitizeStatePath is { } journal ? new SanitizeJournal(journal) : null;
    }

    public ulong Lun { get; }

    public IBlockDevice Device { get; }

    /// <summary>A private copy of the options the unit was added with.</summary>
    public LogicalUnitOptions Options { get; }

    /// <summary>The NAA designator reported in VPD page 83h (given or derived).</summary>
    public ulong NaaIdentifier { get; }

    /// <summary>The unit serial number reported in VPD page 80h (given or derived).</summary>
    public string Serial { get; }

    /// <summary>Writes are refused: the options, the device or an administrator (<see cref="ScsiTargetDevice.SetLogicalUnitReadOnly"/>) say so.</summary>
    public bool IsReadOnly => _readOnly;

    /// <summary>The device itself refuses writes (opened read-only): the unit cannot be made writable while it serves.</summary>
    public bool DeviceIsReadOnly => (Device.Features & BlockDeviceFeatures.ReadOnly) != 0;

    internal void SetReadOnly(bool readOnly) => _readOnly = readOnly;

    /// <summary>
    /// Taken offline by an administrator (<see cref="ScsiTargetDevice.SetLogicalUnitOffline"/>): every
    /// target port group reports the unavailable state for this unit (SPC-4 5.16.2.4.5), so commands
    /// other than the few the unavailable state allows are refused.
    /// </summary>
    public bool IsOffline => _offline;

    internal void SetOffline(bool offline) => _offline = offline;

    /// <summary>Some I_T nexus holds a persistent reservation on the unit (SPC-4 5.12): a cluster fences with it.</summary>
    public bool IsPersistentlyReserved => Reservations.IsPersistentlyReserved;

    /// <summary>Tasks in the unit's task set now (running or waiting to be enabled).</summary>
    public int TasksInFlight => Tasks.Running + Tasks.Waiting;

    /// <summary>
    /// SWP of the Control mode page (SPC-4 7.5.8), set and cleared by MODE SELECT: "the logical unit
    /// shall inhibit writes to the medium" while it is one. Shared by every I_T nexus (TST 000b), of
    /// every gateway: it lives in the reservation state's book (the RADOS object for an rbd LUN) and is
    /// read from its cached copy.
    /// </summary>
    public bool SoftwareWriteProtect => Reservations.SoftwareWriteProtect;

    /// <summary>WP of the mode parameter header: read-only or software write protected.</summary>
    public bool IsWriteProtected => IsReadOnly || SoftwareWriteProtect;

    /// <summary>A SANITIZE operation runs (SBC-3 4.11): other commands get NOT READY, SANITIZE IN PROGRESS.</summary>
    public bool SanitizeInProgress => _sanitizeInProgress != 0;

    /// <summary>RMB = 1 (<see cref="LogicalUnitOptions.Removable"/>): PREVENT ALLOW MEDIUM REMOVAL and START STOP UNIT LOEJ apply.</summary>
    public bool IsRemovable { get; }

    /// <summary>
    /// The removable medium is unloaded (START STOP UNIT, START = 0, LOEJ = 1); false until then. One
    /// medium for the logical unit: it lives in the reservation state's book (the RADOS object for an
    /// rbd LUN, so an eject through any gateway is seen by all) and is read from its cached copy.
    /// </summary>
    public bool MediumRemoved => Reservations.MediumRemoved;

    /// <summary>Some I_T nexus, of any gateway, prevents medium removal (SBC-3 5.11: kept while any nexus prevents).</summary>
    public bool MediumRemovalPrevented => Reservations.MediumRemovalPrevented;

    /// <summary>UNMAP and WRITE SAME with UNMAP deallocate (thin provisioning, LBPME = 1).</summary>
    public bool SupportsUnmap { get; }

    /// <summary>WCE = 1 in the caching mode page: SYNCHRONIZE CACHE and FUA matter.</summary>
    public bool HasVolatileWriteCache { get; }

    internal ScsiTargetDevice Target { get; }

    internal UnitAttentionTable Attentions { get; } = new();

    internal ReservationState Reservations { get; }

    /// <summary>The same persistent reservations, for a transport other than iSCSI (NVMe/TCP).</summary>
    public PersistentReservationPort PersistentReservations { get; }

    /// <summary>Where a running SANITIZE is recorded so it survives a restart; null for a memory unit.</summary>
    internal SanitizeJournal? SanitizeJournal { get; }

    /// <summary>COMPARE AND WRITE against every other writer (any session, any path).</summary>
    internal AtomicWriteGate WriteGate { get; } = new();

    /// <summary>EXTENDED COPY results held for RECEIVE COPY RESULTS.</summary>
    internal CopyManager Copies { get; } = new();

    /// <summary>Task attributes: when a task may run relative to the others on this unit (SAM-5 8.6).</summary>
    internal TaskSet Tasks { get; } = new();

    /// <summary>WRITE ATOMIC(16) is held to 1 MiB (MAXIMUM ATOMIC TRANSFER LENGTH, SBC-4 6.6.4), within MAXIMUM TRANSFER LENGTH.</summary>
    internal const int MaxAtomicTransferBytes = 1 << 20;

    /// <summary>MAXIMUM COMPARE AND WRITE LENGTH of the Block Limits VPD page, in blocks.</summary>
    internal const byte MaxCompareAndWriteBlocks = 16;

    /// <summary>
    /// The device's own atomic compare-and-write (atomic across gateways), or null when the unit
    /// does COMPARE AND WRITE under its in-process <see cref="WriteGate"/>.
    /// </summary>
    internal ICompareAndWriteDevice? AtomicCompareDevice { get; }

    /// <summary>The handler on the device's GeometryChanged, kept to unsubscribe when the unit is removed.</summary>
    internal EventHandler? GeometryHandler { get; set; }

    /// <summary>MAXIMUM COMPARE AND WRITE LENGTH: the device's limit when it compares itself, else 16.</summary>
    internal byte CompareAndWriteLimit { get; }

    /// <summary>The data is stored encrypted, so SANITIZE CRYPTOGRAPHIC ERASE can destroy it by replacing the key.</summary>
    internal bool SupportsCryptoErase { get; }

    internal int BlockSize { get; }

    /// <summary>Capacity in logical blocks; grows live through <see cref="ScsiTargetDevice.GrowLogicalUnitAsync"/>.</summary>
    internal long BlockCount => Volatile.Read(ref _blockCount);

    /// <summary>Capacity in bytes, for administration.</summary>
    public long CapacityBytes => BlockCount * BlockSize;

    internal void SetBlockCount(long blocks) => Volatile.Write(ref _blockCount, blocks);

    internal int LogicalPerPhysicalExponent { get; }

    internal uint MaxTransferBlocks { get; }

    internal uint MaxUnmapLbaCount { get; }

    internal uint MaxUnmapDescriptorCount { get; }

    internal ulong MaxWriteSameBlocks { get; }

    internal uint MaxAtomicTransferBlocks { get; }

    internal byte[] VendorField { get; }

    internal byte[] ProductField { get; }

    internal byte[] RevisionField { get; }

    internal byte[] SerialField { get; }

    /// <summary>
    /// SBC-3 4.5: a command that "references or attempts to access a logical block not within the
    /// capacity of the medium" ends with ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT OF RANGE. A range
    /// is valid when LBA + count does not pass the capacity; so a zero-length transfer at LBA ==
    /// capacity is accepted (it touches no block) and anything past it is out of range.
    /// </summary>
    internal void CheckRange(ulong lba, ulong blocks)
    {
        var capacity = (ulong)BlockCount;
        if (blocks > capacity || lba > capacity - blocks)
        {
            ScsiErrors.LbaOutOfRange();
        }
    }

    /// <summary>How far the running SANITIZE has come, out of 65536 (SPC-4 4.5.2.4.4 PROGRESS INDICATION).</summary>
    public ushort SanitizeProgress => (ushort)Volatile.Read(ref _sanitizeProgress);

    /// <summary>Marks a SANITIZE as running; false when one runs already.</summary>
    internal bool TryBeginSanitize()
    {
        if (Interlocked.CompareExchange(ref _sanitizeInProgress, 1, 0) != 0)
        {
            return false;
        }

        Volatile.Write(ref _sanitizeProgress, 0);
        return true;
    }

    /// <summary>Records the share of the sanitize done, from 0 to 1.</summary>
    internal void ReportSanitizeProgress(double done) =>
        Volatile.Write(ref _sanitizeProgress, (int)Math.Clamp(done * 65536, 0, ushort.MaxValue));

    internal void EndSanitize() => Volatile.Write(ref _sanitizeInProgress, 0);

    /// <summary>
    /// The last sanitize failed: medium access ends MEDIUM ERROR, SANITIZE COMMAND FAILED until a
    /// sanitize completes (or EXIT FAILURE MODE, when it was started with AUSE = 1).
    /// </summary>
    public SanitizeFailure SanitizeFailure
    {
        get => (SanitizeFailure)Volatile.Read(ref _sanitizeFailure);
        internal set => Volatile.Write(ref _sanitizeFailure, (int)value);
    }

    internal void CheckWritable()
    {
        if (IsReadOnly || Reservations.SoftwareWriteProtect)
        {
            ScsiErrors.WriteProtected();
        }
    }

    public override string ToString() => $"LUN {Lun}: {Device.Geometry}";
}
