namespace Storlane.Lab.Ceph;

/// <summary>How a <see cref="SingleNodeCeph"/> is shaped; the defaults suit tests and the bench.</summary>
public sealed record SingleNodeCephOptions
{
    /// <summary>The pool created for images (the rbd tool's default pool name).</summary>
    public string PoolName { get; init; } = "rbd";

    /// <summary>Placement groups of that pool; a handful is plenty for one OSD.</summary>
    public int PlacementGroups { get; init; } = 8;

    /// <summary>Capacity of the memstore OSD. Memory is only used as data is written.</summary>
    public long MemstoreBytes { get; init; } = 4L << 30;

    /// <summary>Where the cluster's temporary directory is made; the system temp directory when null.</summary>
    public string? ParentDirectory { get; init; }

    /// <summary>How long the whole start may take before it is abandoned and the daemons stopped.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Authenticate with cephx instead of no authentication: the monitor, OSD, manager and
    /// client.admin get keys in the cluster's keyring, which the conf names, so a client that reads
    /// the conf is client.admin without further options. Gateways can then be given clients of their
    /// own (<see cref="SingleNodeCeph.CreateClientAsync"/>), as on a real cluster.
    /// </summary>
    public bool Cephx { get; init; }

    /// <summary>
    /// A command that runs each daemon and tool somewhere else, e.g. <c>ip netns exec NS</c> to put
    /// the cluster on a network namespace's own loopback (beside targets that only that namespace
    /// reaches). It must exec, so a daemon's PID stays the daemon's. Empty runs them here.
    /// </summary>
    public IReadOnlyList<string> CommandPrefix { get; init; } = [];

    /// <summary>Keeps the directory (logs, conf) after dispose, for debugging a failed run.</summary>
    public bool KeepDirectory { get; init; }
}
