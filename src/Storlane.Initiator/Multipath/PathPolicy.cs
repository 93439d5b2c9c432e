using Storlane.Initiator.Multipath.Selectors;

namespace Storlane.Initiator.Multipath;

/// <summary>The load-balance policies a <see cref="MultipathDisk"/> offers (see docs/multipath.md).</summary>
public enum PathPolicy
{
    /// <summary>All I/O on one path (the lowest-index usable one); another only when it fails.</summary>
    FailoverOnly,

    /// <summary>Each I/O on the next usable path in turn.</summary>
    RoundRobin,

    /// <summary>Round robin over the active set; the standby set only when no active path is usable.</summary>
    RoundRobinWithSubset,

    /// <summary>The path with the fewest outstanding commands across all its LUs (MSDSM).</summary>
    LeastQueueDepth,

    /// <summary>The path with the lowest administrator-set weight (MSDSM).</summary>
    WeightedPaths,

    /// <summary>The path with the fewest outstanding data bytes (MSDSM).</summary>
    LeastBlocks,

    /// <summary>The path with the lowest (in-flight bytes + this I/O) / relative throughput (dm-multipath).</summary>
    ServiceTime,

    /// <summary>Share by inverse EWMA completion latency; idle paths are probed with real I/O.</summary>
    AdaptiveLatency,
}

/// <summary>Builds the selector for a policy.</summary>
public static class PathSelectors
{
    public static IPathSelector Create(PathPolicy policy, bool failback = true, TimeProvider? time = null, TimeSpan? idleProbeInterval = null) => policy switch
    {
        PathPolicy.FailoverOnly => new FailoverOnlySelector(failback),
        PathPolicy.RoundRobin => new RoundRobinSelector(),
        PathPolicy.RoundRobinWithSubset => new RoundRobinWithSubsetSelector(),
        PathPolicy.LeastQueueDepth => new LeastQueueDepthSelector(),
        PathPolicy.WeightedPaths => new WeightedPathsSelector(),
        PathPolicy.LeastBlocks => new LeastBlocksSelector(),
        PathPolicy.ServiceTime => new ServiceTimeSelector(),
        PathPolicy.AdaptiveLatency => new AdaptiveLatencySelector(time ?? TimeProvider.System, idleProbeInterval ?? TimeSpan.FromSeconds(1)),
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown policy"),
    };
}
