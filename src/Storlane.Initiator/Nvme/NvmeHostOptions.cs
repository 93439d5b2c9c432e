namespace Storlane.Initiator.Nvme;

/// <summary>How an NVMe/TCP host connects: identity, queues, digests and timers.</summary>
public sealed record NvmeHostOptions
{
    /// <summary>The host NQN the Connect carries (a target's allowed-hosts list names it).</summary>
    public string HostNqn { get; init; } = DefaultHostNqn;

    /// <summary>HOSTID of the Connect: one per host, the same on every path (the controller groups a host's associations by it).</summary>
    public Guid HostId { get; init; } = DefaultHostId;

    /// <summary>I/O queues (one TCP connection each) asked for; the controller may grant fewer.</summary>
    public int IoQueues { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>Entries per I/O queue asked for, bounded by the controller's CAP.MQES; one less than this is in flight at most.</summary>
    public int QueueDepth { get; init; } = 128;

    public bool HeaderDigest { get; init; }

    public bool DataDigest { get; init; }

    /// <summary>KATO: the controller drops the association when no Keep Alive comes within it; the host sends one every half.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A command without an answer this long drops the association (as the Linux host's io_timeout resets the controller).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>TCP connect, ICReq/ICResp, Connect and controller enable each get this long.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest transfer one command carries, further bounded by the controller's MDTS.</summary>
    public int MaxTransferBytes { get; init; } = 1 << 20;

    /// <summary>This process's host NQN: a UUID-based NQN (NVMe base 2.0, 4.5) from <see cref="DefaultHostId"/>.</summary>
    public static string DefaultHostNqn { get; } = "nqn.2014-08.org.nvmexpress:uuid:" + DefaultHostId.ToString("D");

    public static Guid DefaultHostId { get; } = Guid.NewGuid();
}
