using Storlane.Initiator.Port;
using Storlane.Initiator.Scsi;
using Storlane.Scsi;

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
        await Multipath.MultipathDiskTests.WaitUntilAsync(() => events.Count == 1); // the caller wakes before the rung reports
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
        await Multipath.MultipathDiskTests.WaitUntilAsync(() => events.Count == 2);
        Assert.True(served > 20, "LUN 1 served only " + served);
        Assert.Equal([ResetStep.AbortTask, ResetStep.LogicalUnitReset], events.Select(e => e.Step));
        Assert.False(events[0].Succeeded);
        Assert.True(events[1].Succeeded);
        Assert.False(port.Lun(0).IsPaused);
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
