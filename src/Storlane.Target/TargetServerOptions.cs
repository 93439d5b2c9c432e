using Storlane.Storage;

namespace Storlane.Target;

/// <summary>Everything `storlane serve` needs: where to listen and what to serve. Built from YAML by the CLI.</summary>
public sealed class TargetServerOptions
{
    /// <summary>Listening portals. All belong to portal group 1 unless <see cref="PortalOptions.Group"/> says otherwise.</summary>
    public List<PortalOptions> Portals { get; } = [];

    public List<TargetOptions> Targets { get; } = [];

    /// <summary>Seconds of silence from an initiator before a NOP-In ping; 0 disables pings.</summary>
    public int NopInIntervalSeconds { get; set; } = 5;

    /// <summary>Seconds to wait for the NOP-Out answering a ping before dropping the connection.</summary>
    public int NopInTimeoutSeconds { get; set; } = 30;

    /// <summary>Commands a session may have outstanding (the CmdSN window).</summary>
    public int CommandWindow { get; set; } = 128;

    /// <summary>Bounds on what clients may make the target hold (connections, time, text, tasks, memory).</summary>
    public TargetLimits Limits { get; set; } = new();

    /// <summary>CHAP that discovery sessions must pass; null lets anyone discover (targets still hide behind their ACLs).</summary>
    public ChapOptions? DiscoveryChap { get; set; }

    /// <summary>This process among the gateways that export the same rbd images.</summary>
    public GatewayOptions Gateway { get; set; } = new();
}

public sealed class PortalOptions
{
    /// <summary>
    /// An IP address, or 0.0.0.0 / :: for every IPv4 / IPv6 address of the host (of
    /// <see cref="Interface"/> when set). Wildcard portals follow addresses as they come and go.
    /// </summary>
    public required string Address { get; init; }

    /// <summary>With a wildcard <see cref="Address"/>: only the addresses of this interface (e.g. eth1).</summary>
    public string? Interface { get; init; }

    /// <summary>True for 0.0.0.0 and ::, which stand for a set of addresses that changes with the host's network.</summary>
    public bool IsWildcard => System.Net.IPAddress.TryParse(Address, out var ip) && (ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any));

    public int Port { get; init; } = 3260;

    /// <summary>Target portal group tag (TPGT), 1..65535.</summary>
    public ushort Group { get; init; } = 1;

    /// <summary>
    /// The ALUA asymmetric access state of this portal's group (SPC-4 5.16.2.4), so a multipath host
    /// prefers one group; null leaves it to the group's other portals (active/optimized when none names
    /// one). The portals of one group name one state (<see cref="Portals.PortalGroupStates"/>).
    /// </summary>
    public Scsi.TargetPortGroupState? AluaState { get; init; }

    public override string ToString() => (Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]:{Port}" : $"{Address}:{Port}") + (Interface is null ? "" : $" on {Interface}");
}

public sealed class TargetOptions
{
    /// <summary>The iSCSI qualified name, e.g. iqn.2026-11.io.storlane:default.</summary>
    public required string Name { get; init; }

    public string? Alias { get; init; }

    public List<LunOptions> Luns { get; } = [];

    /// <summary>Initiator names allowed to log in and to see this target in SendTargets; empty means everyone.</summary>
    public List<string> AllowedInitiators { get; } = [];

    /// <summary>One-way CHAP the initiator must pass; null means AuthMethod=None is accepted.</summary>
    public ChapOptions? Chap { get; set; }

    /// <summary>Credentials the target answers with when the initiator asks for mutual CHAP.</summary>
    public ChapOptions? MutualChap { get; set; }
}

public sealed class ChapOptions
{
    public required string User { get; init; }

    public required string Secret { get; init; }
}

public enum LunBackend
{
    Memory,
    File,

    /// <summary>A VHDX virtual disk (MS-VHDX 1.0), created dynamic when missing.</summary>
    Vhdx,

    /// <summary>A Ceph RBD image (<see cref="LunOptions.Rbd"/>), which several gateways may export at once.</summary>
    Rbd,
}

/// <summary>Where an rbd LUN's image lives and how the gateway reaches the cluster.</summary>
public sealed class RbdLunOptions
{
    public required string Pool { get; init; }

    public required string Image { get; init; }

    /// <summary>The ceph.conf to read; null: librados's default (/etc/ceph/ceph.conf) unless <see cref="MonitorHost"/> is given.</summary>
    public string? CephConf { get; init; }

    /// <summary>Monitor addresses, overriding the conf's mon host.</summary>
    public string? MonitorHost { get; init; }

    /// <summary>The cephx id without "client." (client.admin is "admin").</summary>
    public string Client { get; init; } = "admin";

    /// <summary>The client's keyring; null: the conf's keyring setting (or /etc/ceph/ceph.client.ID.keyring).</summary>
    public string? Keyring { get; init; }

    /// <summary>When the image does not exist: create it with this many bytes (0: refuse to start instead).</summary>
    public long CreateSizeBytes { get; init; }

    /// <summary>How long the start may wait for the monitors before it fails (client_mount_timeout).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public override string ToString() => Pool + "/" + Image;
}

public sealed class LunOptions
{
    /// <summary>Served offline: every port group reports the unavailable ALUA state for it until brought online.</summary>
    public bool Offline { get; init; }

    public ulong Lun { get; init; }

    public LunBackend Backend { get; init; } = LunBackend.File;

    /// <summary>
    /// A device built by the caller (an embedding, or a test's fault-injecting LUN), served as it is
    /// instead of one <see cref="Backend"/> would open; the server disposes it at stop. With
    /// <see cref="LunBackend.Memory"/> no reservation state is persisted; with another backend
    /// <see cref="Path"/> says where (beside it, ".pr").
    /// </summary>
    public IBlockDevice? Device { get; init; }

    /// <summary>For <see cref="LunBackend.Rbd"/>: the pool, image and cluster; the size is the image's.</summary>
    public RbdLunOptions? Rbd { get; init; }

    /// <summary>For the file backend: the image file, created sparse when missing; for vhdx: the VHDX file, created dynamic when missing.</summary>
    public string? Path { get; init; }

    public long SizeBytes { get; init; }

    public int LogicalBlockSize { get; init; } = 512;

    public int PhysicalBlockSize { get; init; } = 512;

    public bool ReadOnly { get; init; }

    /// <summary>A removable medium (INQUIRY RMB = 1): PREVENT ALLOW MEDIUM REMOVAL, START STOP UNIT load/eject.</summary>
    public bool Removable { get; init; }

    /// <summary>
    /// Blocks stored with XTS-AES-256 under a key kept in PATH.key (in memory for memory LUNs), so
    /// SANITIZE CRYPTOGRAPHIC ERASE can destroy the data by replacing the key.
    /// </summary>
    public bool Encrypted { get; init; }

    /// <summary>
    /// The most bytes per second a SANITIZE OVERWRITE writes (0 = unlimited), so erasing one LUN does
    /// not take the whole disk from the others; the unit is NOT READY for as long as it runs.
    /// </summary>
    public long SanitizeBytesPerSecond { get; init; }

    /// <summary>Unit serial number (VPD 0x80); derived from the target name and LUN when null.</summary>
    public string? Serial { get; init; }

    public BlockGeometry Geometry => BlockGeometry.FromSize(SizeBytes, LogicalBlockSize, Math.Max(PhysicalBlockSize, LogicalBlockSize));
}
