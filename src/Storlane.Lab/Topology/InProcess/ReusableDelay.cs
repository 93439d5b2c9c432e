using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace Storlane.Lab.Topology.InProcess;

/// <summary>
/// A delay that one relay pump awaits again and again without allocating: one timer and one
/// resettable value-task source per pump, instead of a Task and a timer per wait.
/// </summary>
internal sealed class ReusableDelay : IValueTaskSource, IDisposable
{
    private readonly Timer _timer;
    private ManualResetValueTaskSourceCore<bool> _core;

    public ReusableDelay()
    {
        _core.RunContinuationsAsynchronously = true;
        _timer = new Timer(static state => ((ReusableDelay)state!)._core.SetResult(true), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Completes after <paramref name="ticks"/> Stopwatch ticks (at timer resolution, about a millisecond).</summary>
    public ValueTask WaitAsync(long ticks)
    {
        _core.Reset();
        var milliseconds = Math.Max(1, (long)Math.Round(ticks * 1000.0 / Stopwatch.Frequency));
        _timer.Change(milliseconds, Timeout.Infinite);
        return new ValueTask(this, _core.Version);
    }

    public void Dispose() => _timer.Dispose();

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
