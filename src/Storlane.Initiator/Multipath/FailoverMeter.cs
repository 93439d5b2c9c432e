using System.Diagnostics;

namespace Storlane.Initiator.Multipath;

/// <summary>
/// Measures failovers. A path failure opens a record holding the failed path's last good completion
/// (or the failure itself, when the path held no I/O);
/// the record closes (and <see cref="Completed"/> fires) once a good completion has been seen on
/// another path, the failed path has handed back every I/O it held, and every I/O reissued
/// because of the failure has finished. The good path checks
/// one volatile counter, so it costs nothing while no failover is open.
/// </summary>
internal sealed class FailoverMeter
{
    private readonly Lock _lock = new();
    private readonly List<Record> _open = [];
    private int _openCount;
    private long _retriedTotal;
    private long _failovers;

    public event Action<FailoverEvent>? Completed;

    public long RetriedTotal => Volatile.Read(ref _retriedTotal);

    public long Failovers => Volatile.Read(ref _failovers);

    public void OnPathFailed(MultipathPath path, string reason)
    {
        lock (_lock)
        {
            foreach (var record in _open)
            {
                if (record.From == path)
                {
                    return;
                }
            }

            // The window starts at the path's last good completion: from then on the I/Os it held
            // waited. A path holding no I/O when it failed kept nobody waiting, so its window starts
            // at the failure (otherwise a path the policy had left idle, or a whole-process stall with
            // nothing on it, would count as failover time).
            var lastGood = path.LastGoodTimestamp;
            var start = lastGood == 0 || path.InFlight == 0 ? Stopwatch.GetTimestamp() : lastGood;
            _open.Add(new Record(path, start, reason));
            Volatile.Write(ref _openCount, _open.Count);
        }
    }

    /// <summary>An I/O that failed on <paramref name="from"/> is being reissued.</summary>
    public void OnRetry(MultipathPath from)
    {
        Interlocked.Increment(ref _retriedTotal);
        lock (_lock)
        {
            foreach (var record in _open)
            {
                if (record.From == from)
                {
                    record.Retried++;
                    record.RetriesInFlight++;
                }
            }
        }
    }

    /// <summary>
    /// An I/O completed on <paramref name="path"/> (<paramref name="good"/> if GOOD, or an answered
    /// error); <paramref name="retriedFrom"/> is the path it first failed on, if any.
    /// </summary>
    public void OnCompleted(MultipathPath path, bool good, MultipathPath? retriedFrom)
    {
        if (Volatile.Read(ref _openCount) == 0)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        List<FailoverEvent>? done = null;
        lock (_lock)
        {
            for (var i = _open.Count - 1; i >= 0; i--)
            {
                var record = _open[i];
                if (retriedFrom == record.From)
                {
                    record.RetriesInFlight--;
                }

                if (good && path != record.From && record.FirstGoodTimestamp == 0)
                {
                    record.FirstGoodTimestamp = now;
                    record.To = path;
                }

                if (record.FirstGoodTimestamp != 0 && record.RetriesInFlight <= 0 && record.From.InFlight == 0)
                {
                    _open.RemoveAt(i);
                    var duration = Stopwatch.GetElapsedTime(record.StartTimestamp, record.FirstGoodTimestamp);
                    (done ??= []).Add(new FailoverEvent(record.From.Name, record.To!.Name, duration, record.Retried, record.Reason, record.StartTimestamp));
                }
            }

            Volatile.Write(ref _openCount, _open.Count);
        }

        if (done is not null)
        {
            foreach (var failover in done)
            {
                Interlocked.Increment(ref _failovers);
                Completed?.Invoke(failover);
            }
        }
    }

    /// <summary>A reissued I/O gave up (every path down, or cancelled).</summary>
    public void OnRetryAbandoned(MultipathPath from)
    {
        lock (_lock)
        {
            foreach (var record in _open)
            {
                if (record.From == from)
                {
                    record.RetriesInFlight--;
                }
            }
        }
    }

    private sealed class Record(MultipathPath from, long startTimestamp, string reason)
    {
        public MultipathPath From { get; } = from;

        /// <summary>Where the window starts: the failed path's last good completion, or the failure.</summary>
        public long StartTimestamp { get; } = startTimestamp;

        public string Reason { get; } = reason;

        public long FirstGoodTimestamp { get; set; }

        public MultipathPath? To { get; set; }

        public int Retried { get; set; }

        public int RetriesInFlight { get; set; }
    }
}
