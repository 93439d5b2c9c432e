using Microsoft.Extensions.Time.Testing;
using Storlane.Initiator.Port;
using Storlane.Protocol.Scsi;
using Storlane.TestSupport;

namespace Storlane.Initiator.Tests.Port;

/// <summary>A command that hangs at the target walks the reset ladder; the other LUs keep serving.</summary>
public class ResetLadderTests
{
    private static readonly ScsiCdb Read = ScsiCdb.Read16(0, 1);

    private static PortOptions FastTimeouts => new()
    {
        CommandTimeout = TimeSpan.FromMilliseconds(200),
        TimeoutScanInterval = TimeSpan.FromMilliseconds(20),
        ResetStepTimeout = TimeSpan.FromMilliseconds(150),
    };

    private static List<ResetLadderEvent> Record(ScsiPort port)
    {
        var events = new List<ResetLadderEvent>();
        port.ResetLadderStep += e =>
        {
            lock (events)
            {
                events.Add(e);
            }
        };
        return events;
    }

    [Fact]
    public async Task AbortTask_ClearsAHungCommand()
    {
        var fake = new FakeTransport { Respond = (lun, _) => lun == 0 ? null : ScsiStatus.Good };
        await using var port = new ScsiPort(fake, FastTimeouts);
        var events = Record(port);
        await Assert.ThrowsAsync<PortCommandTimeoutException>(async () => await port.ExecuteAsync(0, Read, default, default));
        await Eventually.TrueAsync(() => events.Count == 1); // the caller wakes before the rung reports
        var step = Assert.Single(events);
        Assert.Equal(ResetStep.AbortTask, step.Step);
        Assert.True(step.Succeeded);
    }

    [Fact]
    public async Task RefusedAbort_EscalatesToLunReset_WhileOtherLunsKeepServing()
    {
        var fake = new FakeTransport { Respond = (lun, _) => lun == 0 ? null : ScsiStatus.Good, AbortTask = TmfBehavior.Refuse };
        await using var port = new ScsiPort(fake, FastTimeouts);
        var events = Record(port);
        var hung = port.ExecuteAsync(0, Read, default, default).AsTask();
        var served = 0;
        while (!hung.IsCompleted)
        {
            var result = await port.ExecuteAsync(1, Read, default, default);
            Assert.True(result.IsGood);
            served++;
            await Task.Yield();
        }

        await Assert.ThrowsAsync<PortCommandTimeoutException>(() => hung);
        await Eventually.TrueAsync(() => events.Count == 2);
        // Any completion while LUN 0 hung shows LUN 1 was not held up; how many is a matter of
        // CPU time (a loaded 2-core machine served 2 where a quiet one serves hundreds).
        Assert.True(served > 0, "LUN 1 served nothing while LUN 0 hung");
        Assert.Equal([ResetStep.AbortTask, ResetStep.LogicalUnitReset], events.Select(e => e.Step));
        Assert.False(events[0].Succeeded);
        Assert.True(events[1].Succeeded);
        Assert.False(port.Lun(0).IsPaused);
    }

    [Fact]
    public async Task OtherLunCommands_CaughtByAnOutstandingTargetReset_StartNoLadderOfTheirOwn()
    {
        var fake = new FakeTransport
        {
            Respond = (_, _) => null,
            AbortTask = TmfBehavior.Refuse,
            LogicalUnitReset = TmfBehavior.Refuse,
            TargetWarmReset = TmfBehavior.Hang,
        };

        // A stepped clock: the LUN 1 command must time out inside the TARGET WARM RESET rung, which a
        // busy machine's real clock could not promise (the rung ran out first under CI-like load).
        var clock = new FakeTimeProvider();
        var options = new PortOptions
        {
            CommandTimeout = TimeSpan.FromMilliseconds(200),
            TimeoutScanInterval = TimeSpan.FromMilliseconds(20),
            ResetStepTimeout = TimeSpan.FromMilliseconds(800),
            Time = clock,
        };
        await using var port = new ScsiPort(fake, options);
        var events = Record(port);
        var lun0 = port.ExecuteAsync(0, Read, default, default).AsTask();
        await clock.AdvanceUntilAsync(() => events.Count == 2, TimeSpan.FromMilliseconds(20)); // ABORT TASK and LU RESET refused: the target reset is next
        var lun1 = port.ExecuteAsync(1, Read, default, default).AsTask();
        await clock.AdvanceUntilAsync(Task.WhenAll(lun0, lun1).ContinueWith(static _ => { }, TaskScheduler.Default), TimeSpan.FromMilliseconds(20));

        await Assert.ThrowsAsync<Storlane.Initiator.IscsiTransportException>(() => lun0);
        await Assert.ThrowsAsync<Storlane.Initiator.IscsiTransportException>(() => lun1);
        Assert.Equal([ResetStep.AbortTask, ResetStep.LogicalUnitReset, ResetStep.TargetWarmReset, ResetStep.Reconnect], events.Select(e => e.Step));
        Assert.All(events, e => Assert.Equal(0UL, e.Lun));
    }

    [Fact]
    public async Task EveryResetFailing_EndsWithReconnect_AndATransportError()
    {
        var fake = new FakeTransport
        {
            Respond = (_, _) => null,
            AbortTask = TmfBehavior.Hang,
            LogicalUnitReset = TmfBehavior.Refuse,
            TargetWarmReset = TmfBehavior.Hang,
        };
        await using var port = new ScsiPort(fake, FastTimeouts);
        var events = Record(port);
        await Assert.ThrowsAsync<Storlane.Initiator.IscsiTransportException>(async () => await port.ExecuteAsync(0, Read, default, default));
        Assert.Equal([ResetStep.AbortTask, ResetStep.LogicalUnitReset, ResetStep.TargetWarmReset, ResetStep.Reconnect], events.Select(e => e.Step));
        Assert.Contains("no answer", events[0].Error, StringComparison.Ordinal);
        Assert.False(fake.IsConnected);
    }
}
