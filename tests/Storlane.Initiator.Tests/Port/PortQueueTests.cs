using Microsoft.Extensions.Time.Testing;
using Storlane.Initiator.Port;
using Storlane.Initiator.Session;
using Storlane.Initiator.Tests.Support;
using Storlane.Protocol.Scsi;
using Storlane.TestSupport;

namespace Storlane.Initiator.Tests.Port;

/// <summary>Per-LU limits, pause/resume, busy/ready and queue-full back-off of the port layer.</summary>
public class PortQueueTests
{
    private static readonly ScsiCdb Read = ScsiCdb.Read16(0, 1);

    [Fact]
    public void DefaultLimit_Is254PerLun()
    {
        var port = new ScsiPort(new FakeTransport(), new PortOptions { CommandTimeout = TimeSpan.Zero });
        Assert.Equal(254, port.Lun(0).MaxDepth);
        Assert.Equal(254, port.Lun(7).Depth);
    }

    [Fact]
    public async Task PerLunLimit_IsNeverExceeded_AgainstTheTarget_AndThereIsNoAdapterCap()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName);
        var counting = new CountingTransport(new IscsiSessionTransport(session));
        await using var port = new ScsiPort(counting, new PortOptions { MaxQueueDepthPerLun = 4 });
        var tasks = new List<Task>();
        for (var i = 0; i < 64; i++)
        {
            var lun = (ulong)(i % 2);
            tasks.Add(Task.Run(async () =>
            {
                var buffer = new byte[lun == 0 ? 512 * 64 : 4096 * 8];
                await port.ExecuteAsync(lun, ScsiCdb.Read16(0, lun == 0 ? 64u : 8u), buffer, default);
            }));
        }

        await Task.WhenAll(tasks);
        Assert.Equal(4, counting.MaxInFlight(0));
        Assert.Equal(4, counting.MaxInFlight(1));
        Assert.Equal(4, port.Lun(0).HighWater);
        Assert.True(counting.TotalMax > 4, "the two LUs never ran at once: " + counting.TotalMax);
        Assert.Equal(0, port.Outstanding);
    }

    [Fact]
    public async Task TaskSetFull_LowersTheDepth_BacksOff_AndTheDepthRecovers()
    {
        // The LU holds three commands; a fourth is answered TASK SET FULL.
        var fake = new FakeTransport { Delay = TimeSpan.FromMilliseconds(5), Respond = (_, inFlight) => inFlight > 3 ? ScsiStatus.TaskSetFull : ScsiStatus.Good };
        await using var port = new ScsiPort(fake, new PortOptions { MaxQueueDepthPerLun = 16, DepthRecoveryCompletions = 4, BusyBackoff = TimeSpan.FromMilliseconds(2) });
        var events = new List<QueueFullEvent>();
        port.QueueFull += e =>
        {
            lock (events)
            {
                events.Add(e);
            }
        };

        var tasks = new Task<ScsiCommandResult>[32];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = port.ExecuteAsync(0, Read, default, default).AsTask();
        }

        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.True(r.IsGood));
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal(ScsiStatus.TaskSetFull, e.Status));
        Assert.InRange(events.Min(e => e.NewDepth), 1, 3);
        Assert.True(port.Lun(0).Depth < 16);

        // Good completions win the depth back, one step per four.
        for (var i = 0; i < 80; i++)
        {
            await port.ExecuteAsync(0, Read, default, default);
        }

        Assert.Equal(16, port.Lun(0).Depth);
    }

    [Fact]
    public async Task Busy_IsRetriedWithDoublingBackoff()
    {
        var answers = 0;
        var fake = new FakeTransport { Respond = (_, _) => Interlocked.Increment(ref answers) <= 3 ? ScsiStatus.Busy : ScsiStatus.Good };
        var clock = new FakeTimeProvider();
        await using var port = new ScsiPort(fake, new PortOptions { BusyBackoff = TimeSpan.FromMilliseconds(20), Time = clock });
        var executing = port.ExecuteAsync(0, Read, default, default).AsTask();
        var waited = await clock.AdvanceUntilAsync(executing, TimeSpan.FromMilliseconds(10));
        var result = await executing;
        Assert.True(result.IsGood);
        Assert.Equal(4, answers);
        Assert.True(waited >= TimeSpan.FromMilliseconds(140), "backed off only " + waited); // 20 + 40 + 80
        Assert.Equal(254, port.Lun(0).Depth); // BUSY does not cut the depth
    }

    [Fact]
    public async Task PauseAndBusy_HoldOneLunOrTheWholePort()
    {
        await using var port = new ScsiPort(new FakeTransport(), new PortOptions());
        port.Lun(0).Pause();
        var held = port.ExecuteAsync(0, Read, default, default).AsTask();
        await port.ExecuteAsync(1, Read, default, default); // the other LU is not held
        await Task.Delay(50);
        Assert.False(held.IsCompleted);
        port.Lun(0).Resume();
        await held.WaitAsync(TimeSpan.FromSeconds(2));

        port.Pause();
        var heldByPort = port.ExecuteAsync(1, Read, default, default).AsTask();
        await Task.Delay(50);
        Assert.False(heldByPort.IsCompleted);
        port.Resume();
        await heldByPort.WaitAsync(TimeSpan.FromSeconds(2));

        port.Lun(0).Busy(TimeSpan.FromSeconds(30));
        var heldByBusy = port.ExecuteAsync(0, Read, default, default).AsTask();
        await Task.Delay(50);
        Assert.False(heldByBusy.IsCompleted);
        port.Lun(0).Ready();
        Assert.False(port.Lun(0).IsBusy);
    }

    /// <summary>Counts commands in flight per LU on the way to a real session.</summary>
    private sealed class CountingTransport(IScsiTransport inner) : IScsiTransport
    {
        private readonly int[] _inFlight = new int[2];
        private readonly int[] _max = new int[2];
        private int _total;

        public int TotalMax { get; private set; }

        public string Name => inner.Name;

        public bool IsConnected => inner.IsConnected;

        public Task<Exception> Terminated => inner.Terminated;

        public int MaxInFlight(ulong lun) => _max[lun];

        public async ValueTask<ScsiCommandResult> ExecuteAsync(ulong lun, ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CommandTag tag, CancellationToken cancellationToken)
        {
            lock (_max)
            {
                _max[lun] = Math.Max(_max[lun], ++_inFlight[lun]);
                TotalMax = Math.Max(TotalMax, ++_total);
            }

            try
            {
                return await inner.ExecuteAsync(lun, cdb, dataIn, dataOut, tag, cancellationToken);
            }
            finally
            {
                lock (_max)
                {
                    _inFlight[lun]--;
                    _total--;
                }
            }
        }

        public Task AbortTaskAsync(ulong lun, CommandTag tag, CancellationToken cancellationToken) => inner.AbortTaskAsync(lun, tag, cancellationToken);

        public Task LogicalUnitResetAsync(ulong lun, CancellationToken cancellationToken) => inner.LogicalUnitResetAsync(lun, cancellationToken);

        public Task TargetWarmResetAsync(CancellationToken cancellationToken) => inner.TargetWarmResetAsync(cancellationToken);

        public Task<TimeSpan> PingAsync(TimeSpan timeout, CancellationToken cancellationToken) => inner.PingAsync(timeout, cancellationToken);

        public void Drop(string reason) => inner.Drop(reason);
    }
}
