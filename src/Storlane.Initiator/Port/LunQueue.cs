
namespace Storlane.Initiator.Port;

/// <summary>
/// The queue of one LU on one port (Storport's per-LUN queue): at most <see cref="Depth"/> commands
/// outstanding, where the depth starts at the configured maximum, drops on TASK SET FULL and climbs
/// back one step per <see cref="PortOptions.DepthRecoveryCompletions"/> good completions. Paused or
/// busy, it admits nothing. Slots are pooled; a waiter allocates only when the queue is full.
/// </summary>
public sealed class LunQueue
{
    private readonly ScsiPort _port;
    private readonly PortOptions _options;
    private readonly Lock _lock = new();
    private readonly PortRequest[] _slots;
    private readonly Stack<PortRequest> _free;
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private readonly TimeProvider _time;
    private int _depth;
    private int _outstanding;
    private int _highWater;
    private int _goodSinceCut;
    private bool _paused;
    private long _busyUntilTicks;
    private int _busyStreak;

    internal LunQueue(ScsiPort port, ulong lun, PortOptions options)
    {
        _port = port;
        _options = options;
        _time = options.Time;
        Lun = lun;
        MaxDepth = Math.Max(1, options.MaxQueueDepthPerLun);
        _depth = MaxDepth;
        _slots = new PortRequest[MaxDepth];
        _free = new Stack<PortRequest>(MaxDepth);
        for (var i = MaxDepth - 1; i >= 0; i--)
        {
            _slots[i] = new PortRequest();
            _free.Push(_slots[i]);
        }
    }

    public ulong Lun { get; }

    /// <summary>The configured limit.</summary>
    public int MaxDepth { get; }

    /// <summary>The limit now: lower than <see cref="MaxDepth"/> after TASK SET FULL until it recovers.</summary>
    public int Depth => Volatile.Read(ref _depth);

    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Most commands ever outstanding at once on this LU.</summary>
    public int HighWater => Volatile.Read(ref _highWater);

    public bool IsPaused => Volatile.Read(ref _paused);


    public bool IsBusy => _time.GetTimestamp() < Volatile.Read(ref _busyUntilTicks);

    /// <summary>Stops admitting commands to this LU (outstanding ones go on) until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        lock (_lock)
        {
            _paused = true;
        }
    }

    public void Resume()
    {
        lock (_lock)
        {
            _paused = false;
        }

        WakeAll();
    }

    /// <summary>Admits nothing for <paramref name="duration"/> (StorPortDeviceBusy); <see cref="Ready"/> ends it early.</summary>
    public void Busy(TimeSpan duration)
    {
        lock (_lock)
        {
            _busyUntilTicks = _time.GetTimestamp() + (long)(duration.TotalSeconds * _time.TimestampFrequency);
        }
    }

    public void Ready()
    {
        lock (_lock)
        {
            _busyUntilTicks = 0;
        }

        WakeAll();
    }

    internal void ForEachInFlight(Action<LunQueue, PortRequest> action)
    {
        foreach (var slot in _slots)
        {
            if (slot.InUse)
            {
                action(this, slot);
            }
        }
    }

    internal ValueTask<PortRequest> AcquireAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (CanAdmit(out _))
            {
                return new ValueTask<PortRequest>(Take());
            }
        }

        return AcquireSlowAsync(cancellationToken);
    }

    internal void Release(PortRequest request)
    {
        request.End();
        lock (_lock)
        {
            _free.Push(request);
            _outstanding--;
        }

        WakeOne();
    }

    /// <summary>A good completion: counts toward winning back depth lost to TASK SET FULL.</summary>
    internal void OnGood()
    {
        if (Volatile.Read(ref _depth) == MaxDepth && Volatile.Read(ref _busyStreak) == 0)
        {
            return;
        }

        var grew = false;
        lock (_lock)
        {
            _busyStreak = 0;
            if (_depth < MaxDepth && ++_goodSinceCut >= _options.DepthRecoveryCompletions)
            {
                _depth++;
                _goodSinceCut = 0;
                grew = true;
            }
        }

        if (grew)
        {
            WakeOne();
        }
    }

    /// <summary>
    /// BUSY or TASK SET FULL: back off (doubling while it repeats) and, for TASK SET FULL, set the
    /// depth to what the LU held when it said so (Storport lowers the queue depth the same way).
    /// </summary>
    internal (int Depth, TimeSpan Backoff) OnQueueFull(bool taskSetFull, int outstandingAtAnswer)
    {
        lock (_lock)
        {
            var shift = Math.Min(_busyStreak++, 16);
            var backoff = TimeSpan.FromTicks(Math.Min(_options.BusyBackoff.Ticks << shift, _options.MaxBusyBackoff.Ticks));
            if (taskSetFull)
            {
                _depth = Math.Clamp(outstandingAtAnswer - 1, 1, _depth);
                _goodSinceCut = 0;
            }

            _busyUntilTicks = Math.Max(_busyUntilTicks, _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency));
            return (_depth, backoff);
        }
    }

    internal void WakeAll()
    {
        lock (_lock)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }

    private void WakeOne()
    {
        lock (_lock)
        {
            // A cancelled waiter's TrySetResult fails; pass the wake-up to the next one.
            while (_waiters.TryDequeue(out var waiter) && !waiter.TrySetResult())
            {
            }
        }
    }

    private async ValueTask<PortRequest> AcquireSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource? waiter = null;
            TimeSpan wait;
            lock (_lock)
            {
                if (CanAdmit(out wait))
                {
                    return Take();
                }

                if (wait == TimeSpan.Zero)
                {
                    waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _waiters.Enqueue(waiter);
                }
            }

            if (waiter is null)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetCanceled(), waiter))
            {
                await waiter.Task.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Caller holds the lock. <paramref name="wait"/> is the busy time left, or zero when only a wake-up helps.</summary>
    private bool CanAdmit(out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (_paused || _port.IsPaused)
        {
            return false;
        }

        var busyUntil = Math.Max(_busyUntilTicks, _port.BusyUntilTicks);
        var now = _time.GetTimestamp();
        if (now < busyUntil)
        {
            // At least one tick: zero means "wait for a wake-up", which a busy period never sends.
            wait = TimeSpan.FromTicks(Math.Max(1, _time.GetElapsedTime(now, busyUntil).Ticks));
            return false;
        }

        return _outstanding < _depth;
    }

    private PortRequest Take()
    {
        var request = _free.Pop();
        _outstanding++;
        if (_outstanding > _highWater)
        {
            _highWater = _outstanding;
        }

        request.Begin(_time.GetTimestamp());
        return request;
    }
}
