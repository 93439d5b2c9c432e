namespace Storlane.Initiator.Multipath;

/// <summary>
/// The health state machine of one path, fed by real I/O results and by probes. A transport error
/// or a timeout fails the path at once; a run of slow completions fails it too. A failed path goes
/// back to service only after <see cref="RequiredProbes"/> good probes in a row, a number that
/// doubles with every failure inside the flap window, so a flapping path stays out longer.
/// Thread-safe; state changes are rare, so a lock is fine.
/// </summary>
public sealed class PathHealth
{
    private readonly PathHealthOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _lastFailureTimestamp;
    private int _flaps;
    private int _goodProbes;
    private int _slowInARow;

    public PathHealth(PathHealthOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    public PathState State { get; private set; } = PathState.Active;

    /// <summary>Failures inside the flap window, in a row.</summary>
    public int Flaps => _flaps;

    /// <summary>Good probes in a row the path needs now to be re-admitted.</summary>
    public int RequiredProbes => _options.GoodProbesToReadmit << Math.Min(_flaps, 4);

    /// <summary>The path failed (transport error, timeout, bad probe); returns the old state when it changed.</summary>
    public PathState? Fail()
    {
        lock (_lock)
        {
            var old = State;
            if (old == PathState.Failed)
            {
                return null;
            }

            var now = _time.GetTimestamp();
            _flaps = _lastFailureTimestamp != 0 && _time.GetElapsedTime(_lastFailureTimestamp, now) < _options.FlapWindow ? _flaps + 1 : 0;
            _lastFailureTimestamp = now;
            _goodProbes = 0;
            _slowInARow = 0;
            State = PathState.Failed;
            return old;
        }
    }

    /// <summary>A completion the target answered; too many slow ones in a row fail the path.</summary>
    public PathState? OnCompletion(TimeSpan latency)
    {
        if (latency < _options.SlowIoThreshold)
        {
            if (Volatile.Read(ref _slowInARow) != 0)
            {
                Volatile.Write(ref _slowInARow, 0);
            }

            return null;
        }

        return Interlocked.Increment(ref _slowInARow) >= _options.SlowIosToFail ? Fail() : null;
    }

    /// <summary>
    /// A probe answered (<paramref name="good"/>) or not. <paramref name="waiveHysteresis"/> re-admits
    /// on the first good probe (when no other path is usable, waiting helps nobody).
    /// Returns the old state when it changed.
    /// </summary>
    public PathState? OnProbe(bool good, bool waiveHysteresis = false)
    {
        if (!good)
        {
            return Fail();
        }

        lock (_lock)
        {
            var old = State;
            if (old == PathState.Active)
            {
                return null;
            }

            _goodProbes++;
            State = waiveHysteresis || _goodProbes >= RequiredProbes ? PathState.Active : PathState.Probation;
            return State == old ? null : old;
        }
    }
}
