using Storlane.Initiator.Port;

namespace Storlane.Initiator.Multipath;

/// <summary>Settings of a <see cref="MultipathDisk"/>.</summary>
public sealed class MultipathOptions
{
    public PathPolicy Policy { get; init; } = PathPolicy.RoundRobin;

    /// <summary>FailoverOnly: move I/O back to the preferred (first) path once it is healthy again.</summary>
    public bool Failback { get; init; } = true;

    /// <summary>A selector of one's own; overrides <see cref="Policy"/>.</summary>
    public IPathSelector? Selector { get; init; }

    /// <summary>Login, keepalive and transfer settings of each path's session and LU.</summary>
    public IscsiDiskOptions Disk { get; init; } = new();

    /// <summary>Host NQN, queues, digests and timers of each NVMe/TCP path (the URL's query may add to them).</summary>
    public Nvme.NvmeHostOptions Nvme { get; init; } = new();

    public PortOptions Port { get; init; } = new();

    public PathHealthOptions Health { get; init; } = new();

    /// <summary>When every path is down, I/O waits this long for one to come back, then fails with <see cref="MultipathUnavailableException"/>.</summary>
    public TimeSpan AllPathsDownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often paths are probed (TEST UNIT READY) and dead sessions are retried.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>First reconnect delay of a dead path; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle-path probe interval of the AdaptiveLatency policy.</summary>
    public TimeSpan IdleProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock of health hysteresis and the adaptive policy (a fake one in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
