using System.Collections.Concurrent;

namespace Storlane.Target.Connections;

/// <summary>What the heartbeat calls once a second: a connection's timeout checks and NOP-In pings.</summary>
internal interface IHeartbeatListener
{
    /// <summary>Called on the heartbeat's thread, never twice at once; <paramref name="nowMilliseconds"/> is <see cref="ServerContext.NowMilliseconds"/>.</summary>
    void OnHeartbeat(long nowMilliseconds);
}

/// <summary>
/// One timer for every connection's once-a-second checks (login and PDU-stall timeouts, NOP-In pings
/// and their answers), as Kestrel's Heartbeat serves its connections: a server holding 10,000 idle
/// connections runs one timer, not 10,000 timers and async loops. A beat that is still running when
/// the next is due skips that one, so a listener is never called concurrently with itself.
/// </summary>
internal sealed class ConnectionHeartbeat : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<IHeartbeatListener, byte> _listeners = new();
    private readonly Func<long> _now;
    private readonly Action<IHeartbeatListener, Exception> _failed;
    private readonly ITimer _timer;
    private int _beating;

    /// <param name="failed">Told when a listener throws; the other listeners still get their beat.</param>
    public ConnectionHeartbeat(TimeProvider time, Func<long> nowMilliseconds, Action<IHeartbeatListener, Exception> failed)
    {
        _now = nowMilliseconds;
        _failed = failed;
        _timer = time.CreateTimer(static state => ((ConnectionHeartbeat)state!).Beat(), this, Interval, Interval);
    }

    public int Count => _listeners.Count;

    public void Add(IHeartbeatListener listener) => _listeners.TryAdd(listener, 0);

    public void Remove(IHeartbeatListener listener) => _listeners.TryRemove(listener, out _);

    private void Beat()
    {
        if (Interlocked.Exchange(ref _beating, 1) == 1)
        {
            return;
        }

        try
        {
            var now = _now();
            foreach (var (listener, _) in _listeners)
            {
                try
                {
                    listener.OnHeartbeat(now);
                }
                catch (Exception ex)
                {
                    _failed(listener, ex);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _beating, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}
