using System.Diagnostics;
using Storlane.Ceph.Tests.Infrastructure;
using Storlane.Initiator.Multipath;
using Storlane.Initiator.Session;
using Storlane.Initiator.Tests.Multipath;
using Storlane.Interop.Tests.Infrastructure;
using Storlane.Protocol.Scsi;
using Xunit.Abstractions;

namespace Storlane.Interop.Tests.Ceph;

/// <summary>
/// A gateway killed with SIGKILL under a verified QD16 random read/write workload through Storlane's
/// <see cref="MultipathDisk"/> over two gateways (127.0.0.1 and 127.0.0.2, one rbd image): no I/O may
/// fail, every acknowledged write must read back through the survivor, and the failover time (the
/// longest any I/O waited) goes to the test output. Storlane's gateways run with ownership, so the
/// row also shows the survivor taking the lease and telling initiators (SPC-4 5.16.2.6); the peer
/// row is the same run against two tgt-rbd gateways.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class GatewayFailoverTests(CephClusterFixture ceph, ITestOutputHelper output)
{
    private const int QueueDepth = 16;
    private const int LeaseSeconds = 3;

    // The kill comes a third of the way in; the rest leaves room for the lease to run out and move.
    private static readonly TimeSpan RunTime = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [CephFact]
    public async Task StorlaneGateways_OwnerKilledUnderLoad_NoErrors_NoLostWrites_AndTheSurvivorTakesOwnership()
    {
        var image = ceph.NewImageName("failover");

        // A target name of its own: the ownership lease is per target name and outlives a killed owner.
        var iqn = "iqn.2026-12.io.storlane:failover-" + image;
        await using var first = await RbdGateway.StartAsync(ceph, image, "127.0.0.1", group: 1, iqn: iqn, gatewaySection: GatewaySection("gw1"));
        await using var second = await RbdGateway.StartAsync(ceph, image, "127.0.0.2", group: 2, iqn: iqn, gatewaySection: GatewaySection("gw2"));
        RbdGateway[] gateways = [first, second];
        await using var watcher1 = await first.ConnectAsync("iqn.2026-12.io.storlane:watcher");
        await using var watcher2 = await second.ConnectAsync("iqn.2026-12.io.storlane:watcher");
        IscsiSession[] watchers = [watcher1, watcher2];

        var owner = await SettledOwnerAsync(watcher1, watcher2);
        var ownerIndex = owner - 1;
        var survivorIndex = 1 - ownerIndex;
        var survivorWatcher = watchers[survivorIndex];
        await DrainUnitAttentionsAsync(survivorWatcher);

        await using var disk = await MultipathDisk.OpenAsync([first.Url, second.Url], Options());
        Assert.Equal(AluaState.ActiveOptimized, disk.Paths[ownerIndex].AccessState);
        Assert.Equal(AluaState.ActiveNonOptimized, disk.Paths[survivorIndex].AccessState);
        var failovers = new List<FailoverEvent>();
        disk.FailoverCompleted += e =>
        {
            lock (failovers)
            {
                failovers.Add(e);
            }
        };

        // A host's file system flushes at mount: that ends librbd's write-through-until-flush, so what
        // follows meets the gateway's cache as it runs in production.
        await disk.FlushAsync();
        long survivorIosBeforeKill = -1;
        long killedAt = 0;
        Task<TimeSpan>? announced = null;
        var workload = await Workload.RunAsync(disk, QueueDepth, RunTime, () =>
        {
            survivorIosBeforeKill = disk.Paths[survivorIndex].Completed;
            gateways[ownerIndex].Kill();
            killedAt = Stopwatch.GetTimestamp();
            announced = Task.Run(() => AccessStateChangedAsync(survivorWatcher, killedAt));
        });

        Assert.True(workload.Errors.Count == 0, $"{workload.Errors.Count} I/Os failed: {string.Join("; ", workload.Errors.Select(e => e.Message))}");
        await workload.VerifyAsync(disk);
        Assert.Equal(0, survivorIosBeforeKill); // the I/O ran on the owner's (active/optimized) path until the kill
        Assert.True(disk.Paths[survivorIndex].Completed > 0, "no I/O completed through the survivor");
        Report("storlane-rbd", workload, failovers);

        // The survivor takes the lease once it runs out, reports its group active/optimized and raises
        // ASYMMETRIC ACCESS STATE CHANGED at every I_T nexus, here a session that never ran I/O.
        var ownershipMoved = await announced!.WaitAsync(Patience);
        output.WriteLine($"storlane-rbd: survivor reported ASYMMETRIC ACCESS STATE CHANGED {ownershipMoved.TotalSeconds:0.0} s after the kill (lease {LeaseSeconds} s)");
        var states = await ReportTargetPortGroupsAsync(survivorWatcher);
        Assert.NotNull(states);
        Assert.Equal(AluaState.ActiveOptimized, states[(ushort)(survivorIndex + 1)]);
        Assert.Equal(AluaState.ActiveNonOptimized, states[owner]);
        await WaitUntilAsync(() => disk.Paths[survivorIndex].AccessState == AluaState.ActiveOptimized, "the multipath disk never re-read the survivor's state as active/optimized");
    }

    [CephToolFact(ExternalTools.TgtRbd)]
    public async Task TgtRbdGateways_ActiveKilledUnderLoad_NoErrors_NoLostWrites()
    {
        var image = ceph.NewImageName("failover-tgt");
        // The features Storlane's gateways give the images they create (layering, no exclusive-lock),
        // so both rows fail over on the same image; with the default features both stall for the
        // OSD's watch timeout (about 28 s here) while librbd waits for the dead gateway's lock.
        await ceph.Cluster.RbdAsync(["create", "--size", "64M", "--image-feature", "layering", ceph.PoolName + "/" + image]);
        await using var first = await TgtRbdGateway.StartAsync(ceph, image, "127.0.0.1");
        await using var second = await TgtRbdGateway.StartAsync(ceph, image, "127.0.0.2");
        await using var disk = await MultipathDisk.OpenAsync([first.Url, second.Url], Options());
        var failovers = new List<FailoverEvent>();
        disk.FailoverCompleted += e =>
        {
            lock (failovers)
            {
                failovers.Add(e);
            }
        };

        await disk.FlushAsync();
        long secondIosBeforeKill = -1;
        var workload = await Workload.RunAsync(disk, QueueDepth, RunTime, () =>
        {
            secondIosBeforeKill = disk.Paths[1].Completed;
            first.Kill(); // FailoverOnly: the first path is the active one (tgtd reports no ALUA groups)
        });

        Assert.True(workload.Errors.Count == 0, $"{workload.Errors.Count} I/Os failed: {string.Join("; ", workload.Errors.Select(e => e.Message))}");
        await workload.VerifyAsync(disk);
        Assert.Equal(0, secondIosBeforeKill);
        Assert.True(disk.Paths[1].Completed > 0, "no I/O completed through the survivor");
        Report("tgt-rbd", workload, failovers);
    }

    private static string GatewaySection(string name) =>
        "gateway: { name: " + name + ", ownership: true, groups: [1, 2], lease: " + LeaseSeconds + " }";

    /// <summary>One path at a time, the first usable in the best ALUA state; quick probes and reconnects.</summary>
    private static MultipathOptions Options() => new()
    {
        Policy = PathPolicy.FailoverOnly,
        ProbeInterval = TimeSpan.FromMilliseconds(200),
        ProbeTimeout = TimeSpan.FromSeconds(2),
        MinReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaxReconnectDelay = TimeSpan.FromSeconds(1),
    };

    private void Report(string row, Workload workload, List<FailoverEvent> failovers)
    {
        lock (failovers)
        {
            Assert.True(failovers.Count > 0, "the multipath disk measured no failover");
            var measured = failovers.Max(f => f.Duration);
            output.WriteLine($"{row}: failover time (longest I/O stall) {workload.WorstLatency.TotalMilliseconds:0} ms; initiator's failover meter {measured.TotalMilliseconds:0} ms ({failovers.Sum(f => f.RetriedIos)} I/Os reissued); {workload.Ios} verified I/Os at QD{QueueDepth}, 0 errors");
        }
    }

    /// <summary>Polls until both gateways report the same single active/optimized group; returns it.</summary>
    private static async Task<ushort> SettledOwnerAsync(IscsiSession one, IscsiSession two)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var a = await ReportTargetPortGroupsAsync(one);
            var b = await ReportTargetPortGroupsAsync(two);
            if (a is { Count: 2 } && b is { Count: 2 } && a.All(g => b.TryGetValue(g.Key, out var s) && s == g.Value)
                && a.Count(g => g.Value == AluaState.ActiveOptimized) == 1 && a.Count(g => g.Value == AluaState.ActiveNonOptimized) == 1)
            {
                return a.Single(g => g.Value == AluaState.ActiveOptimized).Key;
            }

            Assert.True(Stopwatch.GetTimestamp() < deadline, "the gateways never agreed on one owner");
            await Task.Delay(100);
        }
    }

    /// <summary>TEST UNIT READY until GOOD: the settling of ownership raised attentions at this nexus already.</summary>
    private static async Task DrainUnitAttentionsAsync(IscsiSession session)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if ((await TestUnitReadyAsync(session)).IsGood)
            {
                return;
            }
        }

        Assert.Fail("TEST UNIT READY never came back GOOD");
    }

    /// <summary>TEST UNIT READY every 100 ms until ASYMMETRIC ACCESS STATE CHANGED (2Ah/06h); returns how long after the kill.</summary>
    private static async Task<TimeSpan> AccessStateChangedAsync(IscsiSession session, long killedAt)
    {
        while (true)
        {
            var result = await TestUnitReadyAsync(session);
            if (result.IsUnitAttention && result.Sense is { Asc: 0x2A, Ascq: 0x06 })
            {
                return Stopwatch.GetElapsedTime(killedAt);
            }

            await Task.Delay(100);
        }
    }

    private static ValueTask<ScsiCommandResult> TestUnitReadyAsync(IscsiSession session) =>
        session.ExecuteAsync(0, new byte[6], Memory<byte>.Empty, ReadOnlyMemory<byte>.Empty);

    /// <summary>
    /// REPORT TARGET PORT GROUPS (SPC-4 6.37): group to state, past pending unit attentions (one per
    /// group whose state changed); null when it does not end GOOD.
    /// </summary>
    private static async Task<Dictionary<ushort, AluaState>?> ReportTargetPortGroupsAsync(IscsiSession session)
    {
        var buffer = new byte[1024];
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var result = await session.ExecuteAsync(0, ScsiCdb.ReportTargetPortGroups((uint)buffer.Length), buffer, ReadOnlyMemory<byte>.Empty);
            if (result.IsGood)
            {
                return Alua.ParseReport(buffer.AsSpan(0, buffer.Length - (result.Underflow ? result.ResidualCount : 0)));
            }

            if (!result.IsUnitAttention)
            {
                return null;
            }
        }

        return null;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, failure);
            await Task.Delay(100);
        }
    }
}
