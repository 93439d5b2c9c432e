using System.Diagnostics;

namespace Storlane.Initiator.Session;

/// <summary>
/// Live counters of one session, read without locks by path selectors (queue depth, latency) and
/// health checks. Latency is from send to the final response, in <see cref="Stopwatch"/> ticks.
/// </summary>
public sealed class SessionStatistics
{
    private const double EwmaWeight = 0.125;

    private int _outstanding;
    private long _outstandingBytes;
    private long _completed;
    private long _failed;
    private long _bytesRead;
    private long _bytesWritten;
    private long _lastLatencyTicks;
    private long _averageLatencyTicks;

    /// <summary>SCSI commands sent or queued and not yet retired (what LeastQueueDepth counts).</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Bytes of data in those commands (what ServiceTime counts).</summary>
    public long OutstandingBytes => Volatile.Read(ref _outstandingBytes);

    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Commands that ended with a transport error, reject or cancellation.</summary>
    public long Failed => Volatile.Read(ref _failed);

    public long BytesRead => Volatile.Read(ref _bytesRead);

    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    public TimeSpan LastLatency => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _lastLatencyTicks));

    /// <summary>Exponentially weighted moving average of completion latency (weight 1/8, as TCP's SRTT).</summary>
    public TimeSpan AverageLatency => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _averageLatencyTicks));

    internal void Started(int bytes)
    {
        Interlocked.Increment(ref _outstanding);
        Interlocked.Add(ref _outstandingBytes, bytes);
    }

    internal void Retired(int bytes)
    {
        Interlocked.Decrement(ref _outstanding);
        Interlocked.Add(ref _outstandingBytes, -bytes);
    }

    internal void Succeeded(long latencyTicks, int read, int written)
    {
        Interlocked.Increment(ref _completed);
        Interlocked.Add(ref _bytesRead, read);
        Interlocked.Add(ref _bytesWritten, written);
        Volatile.Write(ref _lastLatencyTicks, latencyTicks);
        var average = Volatile.Read(ref _averageLatencyTicks);
        var next = average == 0 ? latencyTicks : (long)(average + (EwmaWeight * (latencyTicks - average)));

        // A lost race only drops one sample from the average.
        Interlocked.CompareExchange(ref _averageLatencyTicks, next, average);
    }

    internal void FailedOne() => Interlocked.Increment(ref _failed);
}
