using System.Diagnostics;
using Storlane.Bench.Metrics;
using Storlane.Bench.Targets;
using Storlane.Initiator.Multipath;

namespace Storlane.Bench.Engine;

/// <summary>
/// Listens to a multipath target for one run: keeps its failovers (each placed where it began,
/// timed from the run's measured start) and the per-path counters at the measured start, so the
/// run reports only its own share.
/// </summary>
internal sealed class FailoverRecorder : IDisposable
{
    private readonly IMultipathTarget _target;
    private readonly long _measureStart;
    private readonly Lock _lock = new();
    private readonly List<FailoverRecord> _failovers = [];
    private IReadOnlyList<PathCounters> _atStart;

    public FailoverRecorder(IMultipathTarget target, long measureStart)
    {
        _target = target;
        _measureStart = measureStart;
        _atStart = target.SnapshotPaths();
        target.FailoverCompleted += OnFailover;
    }

    /// <summary>Takes the starting counters again now (call it when the measured part begins; until then they are those of the run's start).</summary>
    public void MarkMeasuredStart() => _atStart = _target.SnapshotPaths();

    public IReadOnlyList<FailoverRecord> Failovers()
    {
        lock (_lock)
        {
            return [.. _failovers];
        }
    }

    /// <summary>Each path's counters since <see cref="MarkMeasuredStart"/>, and its state now.</summary>
    public IReadOnlyList<PathCounters> PathsSinceStart()
    {
        var end = _target.SnapshotPaths();
        var start = _atStart;
        if (start.Count != end.Count)
        {
            return end;
        }

        var paths = new List<PathCounters>(end.Count);
        for (var i = 0; i < end.Count; i++)
        {
            paths.Add(end[i] with
            {
                Completed = end[i].Completed - start[i].Completed,
                Errors = end[i].Errors - start[i].Errors,
                Bytes = end[i].Bytes - start[i].Bytes,
            });
        }

        return paths;
    }

    public void Dispose() => _target.FailoverCompleted -= OnFailover;

    private void OnFailover(FailoverEvent failover)
    {
        // The event comes when the failover has closed, which may be well after its window ended
        // (the failed path still handing back I/Os): time it from when it began. Negative during
        // the warm-up.
        var at = Stopwatch.GetElapsedTime(_measureStart, failover.StartTimestamp).TotalSeconds;

        var record = new FailoverRecord(at, failover.FromPath, failover.ToPath, failover.Duration.TotalMilliseconds, failover.RetriedIos, failover.Reason);
        lock (_lock)
        {
            _failovers.Add(record);
        }
    }
}
