namespace Storlane.Initiator.Multipath;

/// <summary>What a path selector may look at: live load counters and the administrator's settings.</summary>
public interface ISelectablePath
{
    /// <summary>Position in the disk's path list, 0 to <see cref="IPathSelector.MaxPaths"/> - 1; lower is preferred by FailoverOnly.</summary>
    int Index { get; }

    /// <summary>Commands outstanding on the path across every LU on it.</summary>
    int Outstanding { get; }

    /// <summary>Data bytes in those commands.</summary>
    long OutstandingBytes { get; }

    /// <summary>WeightedPaths: lower weight is preferred.</summary>
    int Weight { get; }

    /// <summary>RoundRobinWithSubset: a standby path carries I/O only when no active-set path is usable.</summary>
    bool IsStandby { get; }

    /// <summary>ServiceTime: the path's throughput relative to the others (dm-multipath's relative_throughput), above zero.</summary>
    double RelativeThroughput { get; }
}
