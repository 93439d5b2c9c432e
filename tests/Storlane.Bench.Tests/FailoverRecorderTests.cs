using System.Diagnostics;
using Storlane.Bench.Engine;

namespace Storlane.Bench.Tests;

/// <summary>How a run's failovers are timed and its path counters cut to the measured part.</summary>
public sealed class FailoverRecorderTests
{
    [Fact]
    public async Task Failover_IsTimedFromTheMeasuredStart_LessItsDuration_NegativeInTheWarmUp()
    {
        await using var target = new FakeMultipathTarget(TestTargets.Memory(), failEvery: int.MaxValue);

        // Measuring began 5 s ago: a 200 ms failover closing now began about 4.8 s in.
        using (var started = new FailoverRecorder(target, Stopwatch.GetTimestamp() - (5 * Stopwatch.Frequency)))
        {
            target.RaiseFailover(TimeSpan.FromMilliseconds(200));
            Assert.InRange(Assert.Single(started.Failovers()).AtSeconds, 4.79, 6);
        }

        // Measuring starts in 10 s (still warming up): the failover began about 10.2 s before it.
        using var warming = new FailoverRecorder(target, Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency));
        target.RaiseFailover(TimeSpan.FromMilliseconds(200));
        Assert.InRange(Assert.Single(warming.Failovers()).AtSeconds, -10.21, -9);
    }

    [Fact]
    public async Task PathCounters_CountFromTheMeasuredStart_AndEventsStopAtDispose()
    {
        await using var target = new FakeMultipathTarget(TestTargets.Memory(), failEvery: int.MaxValue);
        var buffer = new byte[4096];
        var recorder = new FailoverRecorder(target, Stopwatch.GetTimestamp());
        for (var i = 0; i < 10; i++)
        {
            await target.ReadAsync(0, buffer, CancellationToken.None); // the warm-up
        }

        recorder.MarkMeasuredStart();
        for (var i = 0; i < 7; i++)
        {
            await target.ReadAsync(0, buffer, CancellationToken.None);
        }

        Assert.Equal(7, recorder.PathsSinceStart().Sum(p => p.Completed));
        recorder.Dispose();
        target.RaiseFailover(TimeSpan.Zero);
        Assert.Empty(recorder.Failovers());
    }
}
