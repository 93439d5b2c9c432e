using System.Diagnostics;
using System.Globalization;
using Storlane.Initiator.Multipath;
using Storlane.Initiator.Port;
using Storlane.Initiator.Session;
using Storlane.Initiator.Tests.Support;
using Storlane.TestSupport;
using Xunit.Abstractions;

namespace Storlane.Initiator.Tests.Multipath;

/// <summary>A multipath disk over the in-process target's two portals.</summary>
public class MultipathDiskTests(ITestOutputHelper output)
{
    internal static MultipathOptions FastOptions(PathPolicy policy) => new()
    {
        Policy = policy,
        ProbeInterval = TimeSpan.FromMilliseconds(50),
        ProbeTimeout = TimeSpan.FromMilliseconds(500),
        MinReconnectDelay = TimeSpan.FromMilliseconds(20),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        AllPathsDownTimeout = TimeSpan.FromSeconds(5),
    };

    internal static string Url(int port, int lun) =>
        "iscsi://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/" + LoopbackTarget.DefaultName + "/" + lun.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Open_GroupsBothPortals_AndRoundTripsData()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await MultipathDisk.OpenAsync([Url(target.Port, 0), Url(target.SecondPort, 0)], FastOptions(PathPolicy.RoundRobin));
        Assert.Equal(2, disk.Paths.Count);
        Assert.Equal(512, disk.BlockSize);
        Assert.NotNull(disk.Designator);
        Assert.All(disk.Paths, p => Assert.Equal(AluaState.ActiveOptimized, p.AccessState));
        Assert.NotEqual(disk.Paths[0].TargetPortGroup, disk.Paths[1].TargetPortGroup);

        var data = Patterns.Make(disk.BlockSize * 64, 7);
        await disk.WriteAsync(100, data);
        var back = new byte[data.Length];
        await disk.ReadAsync(100, back);
        Assert.Equal(data, back);
        await disk.FlushAsync();
        await disk.UnmapAsync(100, 64);
        await disk.ReadAsync(100, back);
        Assert.All(back, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Open_RefusesPathsToDifferentLus()
    {
        await using var target = await LoopbackTarget.StartAsync();
        var error = await Assert.ThrowsAsync<MultipathGroupingException>(() => MultipathDisk.OpenAsync([Url(target.Port, 0), Url(target.SecondPort, 1)], FastOptions(PathPolicy.RoundRobin)));
        Assert.Contains("refusing to group", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_OpensEveryPortalOfTheTarget()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await MultipathDisk.DiscoverAsync(target.Url(1), FastOptions(PathPolicy.RoundRobin));
        Assert.Equal(2, disk.Paths.Count);
        Assert.Equal(4096, disk.BlockSize);
    }

    [Theory]
    [InlineData(PathPolicy.RoundRobin, 100, 100)]
    [InlineData(PathPolicy.FailoverOnly, 200, 0)]
    [InlineData(PathPolicy.WeightedPaths, 0, 200)]
    public async Task SerialIo_IsSpreadAsThePolicySays(PathPolicy policy, int first, int second)
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await MultipathDisk.OpenAsync([Url(target.Port, 0), Url(target.SecondPort, 0)], FastOptions(policy));
        disk.Paths[0].Weight = 5;
        disk.Paths[1].Weight = 1;
        var buffer = new byte[4096];
        for (var i = 0; i < 200; i++)
        {
            await disk.ReadAsync(i * 8, buffer);
        }

        Assert.Equal(first, disk.Paths[0].Completed);
        Assert.Equal(second, disk.Paths[1].Completed);
    }

    [Theory]
    [InlineData(PathPolicy.LeastQueueDepth)]
    [InlineData(PathPolicy.LeastBlocks)]
    [InlineData(PathPolicy.ServiceTime)]
    [InlineData(PathPolicy.AdaptiveLatency)]
    [InlineData(PathPolicy.RoundRobinWithSubset)]
    public async Task ConcurrentIo_UsesBothPaths(PathPolicy policy)
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await MultipathDisk.OpenAsync([Url(target.Port, 0), Url(target.SecondPort, 0)], FastOptions(policy));

        // A volume of I/O, not a time: the first test of a cold process on a loaded CI machine did
        // only 16 I/Os in 300 ms. Keep going, up to 20 s, until both paths could show their share.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        do
        {
            await Workload.RunAsync(disk, workers: 16, TimeSpan.FromMilliseconds(300), midway: null);
        }
        while (disk.Paths[0].Completed + disk.Paths[1].Completed < 2_000 && DateTime.UtcNow < deadline);

        output.WriteLine($"{policy}: {disk.Paths[0].Completed} / {disk.Paths[1].Completed}");
        Assert.True(disk.Paths[0].Completed > 20, "path 0 carried " + disk.Paths[0].Completed);
        Assert.True(disk.Paths[1].Completed > 20, "path 1 carried " + disk.Paths[1].Completed);
    }

    [Theory]
    [InlineData(PathPolicy.RoundRobin)]
    [InlineData(PathPolicy.LeastQueueDepth)]
    [InlineData(PathPolicy.FailoverOnly)]
    public async Task PathCutUnderLoad_NoErrors_AndFailoverUnderOneSecond(PathPolicy policy)
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var proxyA = new LoopbackProxy(target.Port);
        await using var proxyB = new LoopbackProxy(target.SecondPort);
        // Probes that a CPU-starved machine (load 30-60 on 2 cores, seen in CI) answers late must not
        // fail a path before the cut: only the cut is under test.
        var options = FastOptions(policy);
        options = new MultipathOptions
        {
            Policy = options.Policy,
            ProbeInterval = options.ProbeInterval,
            ProbeTimeout = TimeSpan.FromSeconds(5),
            MinReconnectDelay = options.MinReconnectDelay,
            MaxReconnectDelay = options.MaxReconnectDelay,
            AllPathsDownTimeout = options.AllPathsDownTimeout,
        };

        // The first test of a fresh test process used to measure the runtime, not the failover:
        // the I/O path still tiering up (Tier-1 JIT and its runtime suspensions, CPU-starved on 2
        // cores) put stalls of 0.4-1 s into its window. Warm the path first, on LUN 1, whose data
        // this test does not check.
        await using (var warmUp = await MultipathDisk.OpenAsync([Url(proxyA.Port, 1), Url(proxyB.Port, 1)], options))
        {
            await Workload.RunAsync(warmUp, workers: 16, TimeSpan.FromMilliseconds(600), midway: null);
        }

        await using var disk = await MultipathDisk.OpenAsync([Url(proxyA.Port, 0), Url(proxyB.Port, 0)], options);
        var failovers = new List<FailoverEvent>();
        disk.FailoverCompleted += e =>
        {
            lock (failovers)
            {
                failovers.Add(e);
            }
        };

        var result = await Workload.RunAsync(disk, workers: 16, TimeSpan.FromMilliseconds(1200), midway: proxyA.Cut);

        Assert.Empty(result.Errors);
        Assert.True(result.Ios > 16, "only " + result.Ios + " I/Os ran"); // a starved machine ran 34 in 1.2 s
        Assert.Equal(PathState.Failed, disk.Paths[0].State);
        var failover = Assert.Single(failovers);
        output.WriteLine($"{policy}: {result.Ios} I/Os, failover {failover.FromPath} -> {failover.ToPath} in {failover.Duration.TotalMilliseconds:0.0} ms, {failover.RetriedIos} I/Os retried, worst I/O {result.WorstLatency.TotalMilliseconds:0.0} ms ({failover.Reason})");
        Assert.Equal(disk.Paths[0].Name, failover.FromPath);
        Assert.Equal(disk.Paths[1].Name, failover.ToPath);
        // Issue 4: the failover (last good completion on the cut path to the first good one on the
        // other) must stay under 1 s. It is a few milliseconds of work; on a 2-core machine at load
        // 30-48 the window also holds whatever CPU starvation stalled the whole process right before
        // the cut (up to ~400 ms measured), which still leaves room.
        Assert.True(failover.Duration < TimeSpan.FromSeconds(1), "failover took " + failover.Duration);

        // The worst I/O of the whole run is not a failover figure: it includes every whole-process
        // stall of the run (900 ms seen at load 48, with no path event near it), which is what made
        // the old 1 s bound on it flaky. It is held to the session-timer scale only.
        Assert.True(result.WorstLatency < TimeSpan.FromSeconds(5), "an I/O took " + result.WorstLatency);

        // The event counts the retries up to the first good completion on the new path; I/Os still
        // coming back from the cut path are retried after it. Each retried I/O was in flight on the
        // cut path, so there are at most as many as workers (16).
        Assert.InRange(disk.RetriedIos, failover.RetriedIos, 16);
        await result.VerifyAsync(disk);
    }

    [Theory]
    [InlineData(PathPolicy.RoundRobin)]
    [InlineData(PathPolicy.ServiceTime)]
    public async Task SilentlyPulledCable_IosInFlightOnThePath_AreReissuedOnTheSurvivorOnceItIsFailed(PathPolicy policy)
    {
        // Issue 14: a path cut without a reset (no FIN, no RST: its packets are just lost) was failed
        // by health fast, yet the I/Os in flight on it waited ~11 s, for the session's keepalive to
        // end it. Here the session timers (keepalive, command timeout) are a minute, so only failing
        // those I/Os back when the path is failed can bring them home in time: the path goes quiet,
        // is probed after one ProbeInterval of silence, and fails when the probe goes unanswered for
        // ProbeTimeout; every I/O is then due within about ProbeInterval * 2 + ProbeTimeout (1.1 s).
        await using var target = await LoopbackTarget.StartAsync();
        await using var proxyA = new LoopbackProxy(target.Port);
        await using var proxyB = new LoopbackProxy(target.SecondPort);
        var sessionTimer = TimeSpan.FromMinutes(1);
        var options = new MultipathOptions
        {
            Policy = policy,
            ProbeInterval = TimeSpan.FromMilliseconds(50),
            ProbeTimeout = TimeSpan.FromSeconds(1),
            MinReconnectDelay = TimeSpan.FromMilliseconds(20),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            AllPathsDownTimeout = TimeSpan.FromSeconds(30),
            Disk = new IscsiDiskOptions
            {
                Session = new IscsiSessionOptions { KeepaliveInterval = sessionTimer, KeepaliveTimeout = sessionTimer, LoginTimeout = TimeSpan.FromSeconds(2), ConnectTimeout = TimeSpan.FromSeconds(2) },
            },
            Port = new PortOptions { CommandTimeout = sessionTimer },
        };
        await using var disk = await MultipathDisk.OpenAsync([Url(proxyA.Port, 0), Url(proxyB.Port, 0)], options);
        var pulledSession = disk.Paths[0].Session!;
        var failedAt = 0L;
        disk.PathStateChanged += e =>
        {
            if (e.Path == disk.Paths[0].Name && e.To == PathState.Failed)
            {
                Interlocked.CompareExchange(ref failedAt, Stopwatch.GetTimestamp(), 0);
            }
        };

        var run = Workload.RunAsync(disk, workers: 16, TimeSpan.FromMilliseconds(1500), midway: proxyA.PullCable);

        // Without the fail-back the workers wait out the minute; do not wait with them.
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{policy}: {result.Ios} I/Os, {disk.RetriedIos} retried, worst I/O {result.WorstLatency.TotalMilliseconds:0.0} ms, path 0 {disk.Paths[0].State}, {disk.Paths[0].Errors} errors");
        Assert.Empty(result.Errors);
        Assert.NotEqual(0, Interlocked.Read(ref failedAt));
        Assert.NotEqual(PathState.Active, disk.Paths[0].State);
        Assert.False(pulledSession.IsConnected, "the failed path's session still holds its I/Os");
        Assert.InRange(disk.RetriedIos, 1, 16); // what was in flight on the pulled path, at most one per worker

        // A logical bound, far below the session timers: detection (ProbeInterval of silence, then
        // ProbeTimeout) plus one reissue, with room for a CPU-starved machine.
        Assert.True(result.WorstLatency < TimeSpan.FromSeconds(10), "an I/O took " + result.WorstLatency + ": it waited for a session timer");
        await result.VerifyAsync(disk);
    }

    [Fact]
    public async Task DroppedConnection_Reconnects_AndIsReadmittedAfterProbes()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var proxyA = new LoopbackProxy(target.Port);
        await using var disk = await MultipathDisk.OpenAsync([Url(proxyA.Port, 0), Url(target.SecondPort, 0)], FastOptions(PathPolicy.RoundRobin));
        var changes = new List<PathStateChange>();
        disk.PathStateChanged += e =>
        {
            lock (changes)
            {
                changes.Add(e);
            }
        };

        var oldSession = disk.Paths[0].Session!;
        proxyA.ResetConnections();
        await Eventually.TrueAsync(() => disk.Paths[0].State == PathState.Active && disk.Paths[0].Session != oldSession);
        Assert.Equal(oldSession.Isid, disk.Paths[0].Session!.Isid); // reinstated, not a new I_T nexus
        lock (changes)
        {
            Assert.Equal([PathState.Failed, PathState.Probation, PathState.Active], changes.Select(c => c.To));
        }

        var before = disk.Paths[0].Completed;
        var buffer = new byte[4096];
        for (var i = 0; i < 10; i++)
        {
            await disk.ReadAsync(0, buffer);
        }

        Assert.Equal(before + 5, disk.Paths[0].Completed);
    }

    [Fact]
    public async Task AllPathsDown_QueuesThenFailsClearly_AndRecoversWhenAPathReturns()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var proxyA = new LoopbackProxy(target.Port);
        await using var proxyB = new LoopbackProxy(target.SecondPort);
        var options = new MultipathOptions
        {
            ProbeInterval = TimeSpan.FromMilliseconds(50),
            MinReconnectDelay = TimeSpan.FromMilliseconds(20),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
            AllPathsDownTimeout = TimeSpan.FromMilliseconds(400),
        };
        await using var disk = await MultipathDisk.OpenAsync([Url(proxyA.Port, 0), Url(proxyB.Port, 0)], options);
        proxyA.Cut();
        proxyB.Cut();
        var buffer = new byte[512];
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<MultipathUnavailableException>(async () => await disk.ReadAsync(0, buffer));
        var waited = DateTime.UtcNow - started;
        output.WriteLine(error.Message);
        Assert.InRange(waited, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(3));
        Assert.Contains("all 2 paths", error.Message, StringComparison.Ordinal);

        // Queued I/O completes as soon as a path is back.
        var pending = disk.ReadAsync(0, buffer).AsTask();
        await Task.Delay(100);
        proxyB.Restore();
        await pending.WaitAsync(TimeSpan.FromSeconds(3));
    }

}
