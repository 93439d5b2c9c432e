namespace Storlane.Target.Observability;

// Read-only copies of what the target serves now, for the management API: taken under the
// registries' own locks, so a reader never holds anything the data path needs.

/// <summary>A configured portal and the endpoints it listens on now (a wildcard has one per host address).</summary>
public sealed record PortalView(string Address, int Port, ushort Group, string? Interface, IReadOnlyList<ListenerView> Listening);

/// <summary>One endpoint listening now, with the connections open on it.</summary>
public sealed record ListenerView(string Endpoint, ushort Group, int Connections);

/// <summary>A served target with its LUNs.</summary>
public sealed record TargetView(string Name, string? Alias, IReadOnlyList<string> AllowedInitiators, bool Chap, bool MutualChap, IReadOnlyList<LunView> Luns);

/// <summary>
/// A LUN as served now: size as grown (not as configured), geometry, and the ALUA state of each
/// target port group it is reached through (SPC-4 5.16.2).
/// </summary>
public sealed record LunView(
    ulong Lun,
    string Backend,
    string? Path,
    long SizeBytes,
    int LogicalBlockSize,
    int PhysicalBlockSize,
    bool ReadOnly,
    bool Encrypted,
    string Serial,
    IReadOnlyList<AluaView> Alua,
    LunCountersView Counters,
    ReservationView? Reservations = null);

/// <summary>
/// A LUN's persistent reservations (SPC-4 5.12) as PERSISTENT RESERVE IN READ FULL STATUS would
/// report them: the generation, each registered initiator port with its key, and the reservation
/// type when one is held (null otherwise). Keys are hexadecimal, as sg_persist prints them.
/// </summary>
public sealed record ReservationView(uint Generation, string? Type, IReadOnlyList<RegistrationView> Registrations);

/// <summary>One registration; <see cref="Holder"/> when it holds (or, for an all-registrants type, shares) the reservation.</summary>
public sealed record RegistrationView(string InitiatorPort, string Key, bool Holder);

/// <summary>The asymmetric access state of one target port group (SPC-4 table 44).</summary>
public sealed record AluaView(ushort Group, string State);

/// <summary>
/// READ and WRITE commands that completed with GOOD status since the start and their bytes; the
/// commands in the LU now; CHECK CONDITIONs, and among them UNIT ATTENTIONs; the GOOD READs and
/// WRITEs timed and the sum of their latencies (a mean over any interval is the ratio of differences).
/// </summary>
public sealed record LunCountersView(long ReadCommands, long ReadBytes, long WriteCommands, long WriteBytes, int Outstanding = 0, long CheckConditions = 0, long UnitAttentions = 0, long TimedCommands = 0, double LatencySeconds = 0);

/// <summary>A logged-in session (discovery ones included) and what it negotiated (RFC 7143 13).</summary>
public sealed record SessionView(
    ushort Tsih,
    string Isid,
    string InitiatorName,
    string? TargetName,
    string Type,
    string HeaderDigest,
    string DataDigest,
    int MaxRecvDataSegmentLength,
    int TargetMaxRecvDataSegmentLength,
    int MaxBurstLength,
    int FirstBurstLength,
    bool InitialR2T,
    bool ImmediateData,
    int ErrorRecoveryLevel,
    CommandWindowView CommandWindow,
    IReadOnlyList<ConnectionView> Connections,
    SessionCountersView? Counters = null);

/// <summary>A session's SCSI commands, PDUs received, data digest errors and R2Ts since its login.</summary>
public sealed record SessionCountersView(long Commands, long Pdus, long DigestErrors, long R2Ts);

/// <summary>The session's CmdSN window (RFC 7143 4.2.2.1) and the tasks outstanding in it.</summary>
public sealed record CommandWindowView(uint ExpCmdSN, uint MaxCmdSN, int Outstanding);

public sealed record ConnectionView(ushort Cid, string? Remote, string? Local, ushort PortalGroup);
