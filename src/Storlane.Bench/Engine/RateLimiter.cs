using System.Diagnostics;

namespace Storlane.Bench.Engine;

/// <summary>
/// Caps IOPS and/or bytes per second over all workers with one shared schedule: each I/O books
/// the next start time and waits for it. The schedule is absolute, so late wake-ups (timers tick in
/// milliseconds) are caught up and the long-run rate equals the limit; credit saved while idle is
/// capped at 100 ms: enough to ride out a late timer on a busy machine, short enough that a
/// stall is not followed by a long burst.
/// </summary>
internal sealed class RateLimiter
{
    private readonly double _ticksPerIo;
    private readonly double _ticksPerByte;
    private readonly long _maxCreditTicks = Stopwatch.Frequency / 10;
    private long _next;

    public RateLimiter(double? iops, double? bytesPerSecond)
    {
        _ticksPerIo = iops is { } perSecond ? Stopwatch.Frequency / perSecond : 0;
        _ticksPerByte = bytesPerSecond is { } bytes ? Stopwatch.Frequency / bytes : 0;
        _next = Stopwatch.GetTimestamp();
    }

    /// <summary>Waits until an I/O of <paramref name="bytes"/> may start. Only throttled I/O allocates (the timer).</summary>
    public ValueTask WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        var wait = Stopwatch.GetElapsedTime(now, Book(bytes, now));
        return wait.TotalMilliseconds >= 1 ? new ValueTask(Task.Delay(wait, cancellationToken)) : ValueTask.CompletedTask;
    }

    /// <summary>Books the start (in Stopwatch ticks) of an I/O of <paramref name="bytes"/> asked for at <paramref name="now"/>.</summary>
    internal long Book(int bytes, long now)
    {
        var cost = (long)(_ticksPerIo + (bytes * _ticksPerByte));
        while (true)
        {
            var next = Volatile.Read(ref _next);
            var start = Math.Max(next, now - _maxCreditTicks);
            if (Interlocked.CompareExchange(ref _next, start + cost, next) == next)
            {
                return start;
            }
        }
    }
}
