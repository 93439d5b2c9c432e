namespace Storlane.Initiator.Multipath.Selectors;

/// <summary>
/// AdaptiveLatency: each path gets a share of I/O proportional to 1 / its EWMA completion latency
/// (weight 1/8), spread by smooth weighted round robin; a path with no sample yet, or not chosen for
/// the idle-probe interval, gets the next I/O so its estimate stays current.
/// </summary>
public sealed class AdaptiveLatencySelector : IPathSelector
{
    private const double EwmaWeight = 0.125;

    private readonly TimeProvider _time;
    private readonly long _probeIntervalTicks;
    private readonly Lock _lock = new();
    private readonly double[] _latencySeconds = new double[IPathSelector.MaxPaths];
    private readonly double[] _credit = new double[IPathSelector.MaxPaths];
    private readonly long[] _lastChosen = new long[IPathSelector.MaxPaths];

    public AdaptiveLatencySelector(TimeProvider time, TimeSpan idleProbeInterval)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _probeIntervalTicks = (long)(idleProbeInterval.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>The EWMA latency of a path, zero before its first completion.</summary>
    public TimeSpan LatencyOf(int index)
    {
        lock (_lock)
        {
            return TimeSpan.FromSeconds(_latencySeconds[index]);
        }
    }

    public ISelectablePath Select(ReadOnlySpan<ISelectablePath> candidates, int bytes)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            ISelectablePath? chosen = null;
            foreach (var path in candidates)
            {
                var i = path.Index;
                var neverTried = _lastChosen[i] == 0;
                var idle = _lastChosen[i] != 0 && now - _lastChosen[i] > _probeIntervalTicks;
                if (neverTried || idle)
                {
                    chosen = path;
                    break;
                }
            }

            if (chosen is null)
            {
                // Smooth weighted round robin: every path earns its weight, the richest spends the total.
                var total = 0.0;
                var best = -1.0;
                foreach (var path in candidates)
                {
                    if (_latencySeconds[path.Index] == 0)
                    {
                        continue; // its first probe is still out
                    }

                    var weight = 1.0 / _latencySeconds[path.Index];
                    total += weight;
                    _credit[path.Index] += weight;
                    if (_credit[path.Index] > best)
                    {
                        best = _credit[path.Index];
                        chosen = path;
                    }
                }

                if (chosen is null)
                {
                    chosen = candidates[0];
                }
                else
                {
                    _credit[chosen.Index] -= total;
                }
            }

            _lastChosen[chosen.Index] = now;
            return chosen;
        }
    }

    public void OnCompleted(ISelectablePath path, TimeSpan latency, int bytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        var sample = Math.Max(latency.TotalSeconds, 1e-7);
        lock (_lock)
        {
            var current = _latencySeconds[path.Index];
            _latencySeconds[path.Index] = current == 0 ? sample : current + (EwmaWeight * (sample - current));
        }
    }
}
