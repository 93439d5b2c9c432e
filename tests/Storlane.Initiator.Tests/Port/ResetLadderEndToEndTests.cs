using System.Diagnostics;
using Storlane.Initiator.Port;
using Storlane.Initiator.Session;
using Storlane.Initiator.Tests.Support;
using Storlane.Protocol.Scsi;
using Storlane.Storage;
using Storlane.Storage.Fault;
using Storlane.TestSupport;
using Xunit.Abstractions;

namespace Storlane.Initiator.Tests.Port;

/// <summary>
/// The reset ladder against Storlane's own target: LUN 0 is a <see cref="FaultInjectingBlockDevice"/>
/// whose READs hang, LUN 1 is a plain memory LU, and both are reached through one session and one
/// <see cref="ScsiPort"/> (one I_T nexus, as Storport sees an adapter). A hung READ on LUN 0 climbs
/// the rungs it needs while LUN 1 keeps completing commands on the same session.
/// </summary>
public class ResetLadderEndToEndTests(ITestOutputHelper output)
{
    private const int Lun0BlockSize = 512;
    private const int Lun1BlockSize = 4096;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Short next to the session timers the ladder replaces, long next to a LUN 1 read on a loaded
    /// 2-core machine, so only the hung command times out. Setup commands go straight to the session,
    /// past the port, so they cannot start a ladder of their own.
    /// </summary>
    private static PortOptions Timeouts(TimeSpan resetStep) => new()
    {
        CommandTimeout = TimeSpan.FromSeconds(1),
        TimeoutScanInterval = TimeSpan.FromMilliseconds(50),
        ResetStepTimeout = resetStep,
    };

    private static FaultInjectingBlockDevice FaultyLun0() =>
        new(new MemoryBlockDevice(new BlockGeometry(Lun0BlockSize, 4096, (64 << 20) / Lun0BlockSize)));

    private static IscsiSessionOptions SessionOptions => new() { KeepaliveInterval = TimeSpan.Zero };

    [Fact]
    public async Task HungRead_IsClearedByAbortTask_Lun1KeepsServing_AndTheRetrySucceedsOnceReleased()
    {
        var lun0 = FaultyLun0();
        await using var target = await LoopbackTarget.StartAsync(lun0);
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName, SessionOptions);
        await using var port = new ScsiPort(new IscsiSessionTransport(session), Timeouts(TimeSpan.FromSeconds(1)));
        var ladder = new LadderLog(port);
        await ClearUnitAttentionsAsync(session);

        var data = Patterns.Make(8 * Lun0BlockSize, 11);
        await ExpectGoodAsync(session.ExecuteAsync(0, ScsiCdb.Write16(40, 8, fua: false), default, data));
        lun0.Hang(FaultOperations.Read);

        await using var lun1 = Lun1Load.Start(port);
        var back = new byte[data.Length];
        var hung = port.ExecuteAsync(0, ScsiCdb.Read16(40, 8), back, default).AsTask();
        await lun0.WaitUntilHungAsync().WaitAsync(Patience);
        var servedBeforeTimeout = lun1.Completed;
        var error = await Assert.ThrowsAsync<PortCommandTimeoutException>(() => hung.WaitAsync(Patience));
        output.WriteLine(error.Message);
        await ladder.WaitForAsync(1);

        // The device honoured the abort (its READ was cancelled), so the first rung was enough.
        var step = Assert.Single(ladder.Lun0);
        Assert.Equal(ResetStep.AbortTask, step.Step);
        Assert.True(step.Succeeded, step.Error);
        Assert.Equal(0, lun0.HungNow);
        await lun1.WaitForMoreAsync(servedBeforeTimeout);
        Assert.True(session.IsConnected);

        // The application retries once the fault is gone, on the same session.
        lun0.Clear();
        await ExpectGoodAsync(port.ExecuteAsync(0, ScsiCdb.Read16(40, 8), back, default));
        Assert.Equal(data, back);
        Assert.Empty(await lun1.StopAsync());
    }

    [Fact]
    public async Task WedgedRead_IgnoringAborts_ClimbsEveryRungToSessionReinstatement_WhileLun1Serves()
    {
        var lun0 = FaultyLun0();
        await using var target = await LoopbackTarget.StartAsync(lun0);
        var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName, SessionOptions);
        await using var port = new ScsiPort(new IscsiSessionTransport(session), Timeouts(TimeSpan.FromSeconds(1)));
        var ladder = new LadderLog(port);
        await ClearUnitAttentionsAsync(session);

        var data = Patterns.Make(8 * Lun0BlockSize, 12);
        await ExpectGoodAsync(session.ExecuteAsync(0, ScsiCdb.Write16(80, 8, fua: false), default, data));
        lun0.Wedge(FaultOperations.Read);

        var lun1 = Lun1Load.Start(port);
        var back = new byte[data.Length];
        var hung = port.ExecuteAsync(0, ScsiCdb.Read16(80, 8), back, default).AsTask();
        await lun0.WaitUntilHungAsync().WaitAsync(Patience);

        // No rung can end a command the device will not give back: the target answers no TMF
        // while the task runs (RFC 7143 11.6: the response follows the end of the affected tasks),
        // so the ladder ends by dropping the connection.
        var dropped = await Assert.ThrowsAsync<IscsiTransportException>(() => hung.WaitAsync(Patience));
        output.WriteLine(dropped.Message);
        await ladder.WaitForAsync(4);
        foreach (var e in ladder.Lun0)
        {
            output.WriteLine($"{e.Step}: {(e.Succeeded ? "cleared" : e.Error)} after {e.Elapsed.TotalMilliseconds:0} ms");
        }

        Assert.Equal([ResetStep.AbortTask, ResetStep.LogicalUnitReset, ResetStep.TargetWarmReset, ResetStep.Reconnect], ladder.Lun0.Select(e => e.Step));
        Assert.All(ladder.Lun0.Take(3), e => Assert.False(e.Succeeded));

        // LUN 1 completed commands on the same session while ABORT TASK and LOGICAL UNIT RESET for
        // LUN 0 were outstanding (a LU reset does not touch other LUs, SAM-5 7.7).
        var luReset = ladder.Lun0[1];
        var served = lun1.CompletedBetween(ladder.StartOf(luReset), ladder.EndOf(luReset));
        output.WriteLine($"LUN 1 completions during the LU reset rung: {served}");
        Assert.True(served > 0, "LUN 1 completed nothing while LUN 0 was being reset");
        await lun1.StopAsync();

        // Session reinstatement (same ISID, RFC 7143 6.3.5) while the device is still wedged: the
        // target ends the old nexus and serves the new one; LUN 1 at once, LUN 0 once released.
        var reinstated = await session.ReconnectAsync().WaitAsync(Patience);
        await session.DisposeAsync();
        Assert.Equal(session.Isid, reinstated.Isid);
        port.Attach(new IscsiSessionTransport(reinstated));
        await ClearUnitAttentionsAsync(reinstated);
        await ExpectGoodAsync(port.ExecuteAsync(1, ScsiCdb.Read16(0, 1), new byte[Lun1BlockSize], default));

        lun0.Clear();
        await ExpectGoodAsync(port.ExecuteAsync(0, ScsiCdb.Read16(80, 8), back, default));
        Assert.Equal(data, back);
        await reinstated.DisposeAsync();
    }

    [Fact]
    public async Task WedgedRead_ReleasedDuringLunReset_StopsAtLunReset_AndEveryTmfIsAnswered()
    {
        var lun0 = FaultyLun0();
        await using var target = await LoopbackTarget.StartAsync(lun0);
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName, SessionOptions);
        await using var port = new ScsiPort(new IscsiSessionTransport(session), Timeouts(TimeSpan.FromSeconds(3)));
        var ladder = new LadderLog(port);
        await ClearUnitAttentionsAsync(session);
        lun0.Wedge(FaultOperations.Read);

        var hung = port.ExecuteAsync(0, ScsiCdb.Read16(0, 1), new byte[Lun0BlockSize], default).AsTask();
        await lun0.WaitUntilHungAsync().WaitAsync(Patience);
        await ladder.WaitForAsync(1);
        lun0.Clear(); // the device comes back while the LOGICAL UNIT RESET is outstanding (or about to be)

        await Assert.ThrowsAsync<PortCommandTimeoutException>(() => hung.WaitAsync(Patience));
        await ladder.WaitForAsync(2);
        Assert.Equal([ResetStep.AbortTask, ResetStep.LogicalUnitReset], ladder.Lun0.Select(e => e.Step));
        Assert.True(ladder.Lun0[1].Succeeded, ladder.Lun0[1].Error);

        // The ABORT TASK the ladder gave up on is still answered once the task has ended (RFC 7143
        // 11.6), so its tag comes back to the initiator instead of staying held until the session ends.
        var deadline = Stopwatch.GetTimestamp() + (long)(5 * Stopwatch.Frequency);
        while (session.TasksInUse > 0)
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"{session.TasksInUse} task tags still held: a task management request was never answered");
            await Task.Delay(10);
        }

        Assert.True(session.IsConnected);
        await ClearUnitAttentionsAsync(session);
        await ExpectGoodAsync(port.ExecuteAsync(0, ScsiCdb.Read16(0, 1), new byte[Lun0BlockSize], default));
    }

    private static async Task ExpectGoodAsync(ValueTask<ScsiCommandResult> pending)
    {
        var result = await pending.AsTask().WaitAsync(Patience);
        Assert.True(result.IsGood, "status " + result.Status);
    }

    /// <summary>The first command on each LU of a new nexus meets POWER ON/RESET (or a reset's) UNIT ATTENTION.</summary>
    private static async Task ClearUnitAttentionsAsync(IscsiSession session)
    {
        foreach (var lun in new ulong[] { 0, 1 })
        {
            for (var i = 0; i < 4; i++)
            {
                var result = await session.ExecuteAsync(lun, ScsiCdb.TestUnitReady(), default, default).AsTask().WaitAsync(Patience);
                if (result.IsGood)
                {
                    break;
                }
            }
        }
    }

    /// <summary>The ladder's events, each with the time it was reported.</summary>
    private sealed class LadderLog
    {
        private readonly List<(ResetLadderEvent Event, long At)> _events = [];

        public LadderLog(ScsiPort port) => port.ResetLadderStep += e =>
        {
            lock (_events)
            {
                _events.Add((e, Stopwatch.GetTimestamp()));
            }
        };

        /// <summary>The rungs the hung LUN 0 command climbed.</summary>
        public IReadOnlyList<ResetLadderEvent> Lun0
        {
            get
            {
                lock (_events)
                {
                    return [.. _events.Select(e => e.Event).Where(e => e.Lun == 0)];
                }
            }
        }

        public long EndOf(ResetLadderEvent e)
        {
            lock (_events)
            {
                return _events.First(x => ReferenceEquals(x.Event, e)).At;
            }
        }

        public long StartOf(ResetLadderEvent e) => EndOf(e) - (long)(e.Elapsed.TotalSeconds * Stopwatch.Frequency);

        public async Task WaitForAsync(int count)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
            while (Lun0.Count < count)
            {
                Assert.True(Stopwatch.GetTimestamp() < deadline, $"only {Lun0.Count} ladder steps reported");
                await Task.Delay(10);
            }
        }
    }

    /// <summary>Back-to-back READs of LUN 1 through the port, each completion time-stamped.</summary>
    private sealed class Lun1Load : IAsyncDisposable
    {
        private readonly List<long> _completions = [];
        private readonly List<string> _unexpected = [];
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        public int Completed
        {
            get
            {
                lock (_completions)
                {
                    return _completions.Count;
                }
            }
        }

        public static Lun1Load Start(ScsiPort port)
        {
            var load = new Lun1Load();
            load._loop = Task.Run(() => load.RunAsync(port));
            return load;
        }

        public int CompletedBetween(long from, long to)
        {
            lock (_completions)
            {
                return _completions.Count(t => t >= from && t <= to);
            }
        }

        public async Task WaitForMoreAsync(int than)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
            while (Completed <= than)
            {
                Assert.True(Stopwatch.GetTimestamp() < deadline, "LUN 1 stopped completing");
                await Task.Delay(5);
            }
        }

        /// <summary>Stops the load; returns the statuses other than GOOD that LUN 1 answered.</summary>
        public async Task<IReadOnlyList<string>> StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            lock (_unexpected)
            {
                return [.. _unexpected];
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }

        private async Task RunAsync(ScsiPort port)
        {
            var buffer = new byte[Lun1BlockSize];
            var lba = 0L;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var result = await port.ExecuteAsync(1, ScsiCdb.Read16((ulong)(lba++ % 1000), 1), buffer, default);
                    if (!result.IsGood)
                    {
                        lock (_unexpected)
                        {
                            _unexpected.Add(result.Status.ToString());
                        }
                    }

                    lock (_completions)
                    {
                        _completions.Add(Stopwatch.GetTimestamp());
                    }
                }
                catch (IscsiTransportException)
                {
                    return; // the ladder dropped the session; the test reinstates it
                }
                catch (PortCommandTimeoutException ex)
                {
                    lock (_unexpected)
                    {
                        _unexpected.Add(ex.Message);
                    }
                }
            }
        }
    }
}
