using System.Diagnostics;
using Storlane.Bench.Engine;

namespace Storlane.Bench.Tests;

/// <summary>How a run's failovers are timed and its path counters cut to the measured part.</summary>
public sealed class FailoverRecorderTests
{
    [Fact]
    public async Task Failover_IsTimedFromWhenItBegan_NotFromWhenItsEventArrived_NegativeInTheWarmUp()
    {
        await using var target = new FakeMultipathTarget(TestTargets.Memory(), failEvery: int.MaxValue);
        var measureStart = Stopwatch.GetTimestamp() - (5 * Stopwatch.Frequency);

        // Measuring began 5 s ago; a 200 ms failover that began 1.25 s in closes only now (its
        // failed path was slow to hand back its I/Os): it is placed where it began, not at now
        // less its duration (4.8 s).
        using (var started = new FailoverRecorder(target, measureStart))
        {
            target.RaiseFailover(TimeSpan.FromMilliseconds(200), measureStart + (Stopwatch.Frequency * 5 / 4));
            Assert.Equal(1.25, Assert.Single(started.Failovers()).AtSeconds, 6);
        }

        // One that began half a second before the measured start (in the warm-up) is negative.
        using var warming = new FailoverRecorder(target, measureStart);
        target.RaiseFailover(TimeSpan.FromMilliseconds(200), measureStart - (Stopwatch.Frequency / 2));
        Assert.Equal(-0.5, Assert.Single(warming.Failovers()).AtSeconds, 6);
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
