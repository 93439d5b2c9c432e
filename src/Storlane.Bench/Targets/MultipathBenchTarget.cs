using Storlane.Bench.Metrics;
using Storlane.Initiator.Multipath;

namespace Storlane.Bench.Targets;

/// <summary>An iSCSI LU through Storlane's <see cref="MultipathDisk"/>: one session per URL, I/O spread by the policy, failover inside.</summary>
public sealed class MultipathBenchTarget : IMultipathTarget
{
    private readonly MultipathDisk _disk;
    private readonly int _blockShift;

    private MultipathBenchTarget(MultipathDisk disk, MultipathTargetSpec spec)
    {
        _disk = disk;
        _blockShift = System.Numerics.BitOperations.Log2((uint)disk.BlockSize);
        var paths = new List<string>();
        foreach (var path in disk.Paths)
        {
            paths.Add(path.Name);
        }

        Info = new BenchTargetInfo
        {
            Spec = spec.ToString(),
            Kind = "multipath",
            LogicalBlockSize = disk.BlockSize,
            PhysicalBlockSize = disk.PhysicalBlockSize,
            BlockCount = disk.BlockCount,
            Paths = paths,
            PathPolicy = PathPolicyNames.Name(spec.Policy),
        };
        _disk.FailoverCompleted += OnFailover;
    }

    public event Action<FailoverEvent>? FailoverCompleted;

    public BenchTargetInfo Info { get; }

    public int BufferAlignment => 1;

    /// <summary>The disk underneath (its paths, counters and events).</summary>
    public MultipathDisk Disk => _disk;

    /// <summary>
    /// Opens every URL of <paramref name="spec"/> as one <see cref="MultipathDisk"/> (which refuses
    /// URLs that lead to different LUs with <see cref="MultipathGroupingException"/>), then applies
    /// the paths' weights and standby flags. <paramref name="options"/> (timers, for tests) must carry the spec's policy.
    /// </summary>
    public static async Task<MultipathBenchTarget> OpenAsync(MultipathTargetSpec spec, MultipathOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var order = spec.OpenOrder();
        var urls = new List<Storlane.Initiator.IscsiUrl>();
        foreach (var path in order)
        {
            urls.Add(path.Url);
        }

        options ??= new MultipathOptions { Policy = spec.Policy };
        if (options.Policy != spec.Policy || options.Selector is not null)
        {
            throw new ArgumentException($"the options' policy {options.Policy} is not the spec's {PathPolicyNames.Name(spec.Policy)}", nameof(options));
        }

        var disk = await MultipathDisk.OpenAsync(urls, options, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < order.Count; i++)
        {
            disk.Paths[i].Weight = order[i].Weight;
            disk.Paths[i].IsStandby = order[i].IsStandby;
        }

        return new MultipathBenchTarget(disk, spec);
    }

    public IReadOnlyList<PathCounters> SnapshotPaths()
    {
        var counters = new List<PathCounters>(_disk.Paths.Count);
        foreach (var path in _disk.Paths)
        {
            counters.Add(new PathCounters(path.Name, path.Completed, path.Errors, path.BytesTransferred, StateName(path.State)));
        }

        return counters;
    }

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        _disk.ReadAsync(offset >> _blockShift, destination, cancellationToken);

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) =>
        _disk.WriteAsync(offset >> _blockShift, source, false, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => _disk.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync()
    {
        _disk.FailoverCompleted -= OnFailover;
        return _disk.DisposeAsync();
    }

    private static string StateName(PathState state) => state switch
    {
        PathState.Active => "active",
        PathState.Failed => "failed",
        PathState.Probation => "probation",
        _ => "unknown",
    };

    private void OnFailover(FailoverEvent failover) => FailoverCompleted?.Invoke(failover);
}
