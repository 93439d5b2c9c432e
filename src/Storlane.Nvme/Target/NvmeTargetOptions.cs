using Storlane.Scsi;

namespace Storlane.Nvme.Target;

/// <summary>One NVMe/TCP listening endpoint.</summary>
/// <param name="Address">An IP address; 0.0.0.0 or :: listens on every address.</param>
/// <param name="Group">The portal group: the NVM subsystem port and the ALUA group whose state ANA reports.</param>
/// <param name="IsDiscovery">A discovery port (8009 by default): Discovery Log entries list only the I/O ports.</param>
public sealed record NvmePortal(string Address, int Port, ushort Group, bool IsDiscovery)
{
    public override string ToString() => (Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]:{Port}" : $"{Address}:{Port}") + (IsDiscovery ? " (discovery)" : "");
}

/// <summary>One NVM subsystem: the logical units of an iSCSI target, served as namespaces.</summary>
/// <param name="Nqn">The subsystem NQN.</param>
/// <param name="Device">The SCSI target device whose logical units (LUN n) are namespaces (NSID n + 1).</param>
/// <param name="AllowedHosts">Host NQNs allowed to connect; empty allows every host.</param>
public sealed record NvmeSubsystemOptions(string Nqn, ScsiTargetDevice Device, IReadOnlyList<string> AllowedHosts);

/// <summary>Bounds on what a host can make the target hold.</summary>
public sealed record NvmeLimits
{
    /// <summary>NVMe/TCP connections open at once (one per queue); more are closed at accept.</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>Entries per submission queue (CAP.MQES + 1); Connect asks for at most this many.</summary>
    public int MaxQueueEntries { get; init; } = 128;

    /// <summary>I/O queues one controller may have (Number of Queues feature).</summary>
    public int MaxIoQueues { get; init; } = 8;

    /// <summary>Controllers one subsystem holds at once.</summary>
    public int MaxControllersPerSubsystem { get; init; } = 64;

    /// <summary>
    /// In-capsule data bytes one I/O command may carry (IOCCSZ less the SQE; the admin queue takes
    /// 8 KiB). A write up to this size goes in its capsule, with no R2T round trip; the bytes count
    /// against <see cref="MaxBufferBytesPerConnection"/> like R2T'd data, so the bound per connection holds.
    /// </summary>
    public int MaxInCapsuleData { get; init; } = 128 * 1024;

    /// <summary>Reservation Notification log pages one controller keeps unread; beyond it the oldest stay and the new are counted as lost.</summary>
    public int MaxReservationNotifications { get; init; } = 64;

    /// <summary>The largest transfer of one command (MDTS), a power of two from 4 KiB.</summary>
    public int MaxTransferBytes { get; init; } = 1 << 20;

    /// <summary>Data buffer bytes one connection may hold for commands in flight; beyond it the connection stops reading.</summary>
    public long MaxBufferBytesPerConnection { get; init; } = 32L << 20;

    /// <summary>Asynchronous Event Requests one controller holds (AERL + 1).</summary>
    public int MaxAsyncEvents { get; init; } = 4;

    /// <summary>Seconds from accept to a successful Connect before the connection is closed.</summary>
    public int HandshakeTimeoutSeconds { get; init; } = 10;
}

/// <summary>Everything the NVMe/TCP target serves.</summary>
public sealed class NvmeTargetOptions
{
    public List<NvmePortal> Portals { get; } = [];

    public List<NvmeSubsystemOptions> Subsystems { get; } = [];

    public NvmeLimits Limits { get; init; } = new();

    /// <summary>The well-known discovery NQN (NVMe base 2.0, 4.5).</summary>
    public const string DiscoveryNqn = "nqn.2014-08.org.nvmexpress.discovery";

    /// <summary>The NQN derived for an iSCSI target without one configured.</summary>
    public static string DeriveNqn(string targetName) => "nqn.2014-08.org.storlane:" + targetName;
}
