using Microsoft.Extensions.Logging;

namespace Storlane.Target.Connections;

/// <summary>
/// Gives memory back to the operating system after connections that held a lot of it close. The
/// GC would otherwise keep the freed heap committed until allocation pressure makes it collect, so
/// a burst of large commands, or a hostile client, would leave the process at its peak size.
/// Closed connections' peaks add up; past <see cref="ReleasedBytesPerTrim"/> one collection runs,
/// at most one per <see cref="MinInterval"/>.
/// </summary>
internal sealed class MemoryTrimmer
{
    /// <summary>Peak bytes (buffers and queued replies) of closed connections that make a collection worth its pause.</summary>
    public const long ReleasedBytesPerTrim = 32L << 20;

    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(10);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastTrimTicks = long.MinValue;
    private int _scheduled;
    private long _released;

    public MemoryTrimmer(ILogger logger, TimeProvider? time = null)
    {
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Collections run so far.</summary>
    public int Trims { get; private set; }

    /// <summary>A connection closed after holding <paramref name="peakBytes"/> at its most.</summary>
    public void ConnectionClosed(long peakBytes)
    {
        if (Interlocked.Add(ref _released, peakBytes) < ReleasedBytesPerTrim || Interlocked.Exchange(ref _scheduled, 1) != 0)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastTrimTicks);
        var wait = last == long.MinValue ? TimeSpan.Zero : MinInterval - _time.GetElapsedTime(last, now);
        _ = TrimAfterAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }

    private async Task TrimAfterAsync(TimeSpan wait)
    {
        try
        {
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time).ConfigureAwait(false);
            }
            else
            {
                await Task.Yield();
            }

            // Aggressive: a blocking, compacting full collection that also decommits what it frees.
            Interlocked.Exchange(ref _released, 0);
            var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            Trims++;
            TargetLog.MemoryTrimmed(_logger, before >> 20, GC.GetGCMemoryInfo().TotalCommittedBytes >> 20);
        }
        finally
        {
            Interlocked.Exchange(ref _lastTrimTicks, _time.GetTimestamp());
            Volatile.Write(ref _scheduled, 0);
        }
    }
}
