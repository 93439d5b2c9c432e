using System.Globalization;
using Storlane.Initiator.Multipath;
using Storlane.Initiator.Tests.Support;
using Storlane.Storage;
using Storlane.Storage.Fault;
using Storlane.Target;
using Storlane.TestSupport;

namespace Storlane.Initiator.Tests.Multipath;

/// <summary>Several LUs over one session per path (<see cref="MultipathTarget"/>), against the in-process target.</summary>
public class MultipathTargetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string PortalUrl(int port) => "iscsi://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/" + LoopbackTarget.DefaultName;

    [Fact]
    public async Task TwoLuns_ShareOneSessionPerPath()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var mpt = await MultipathTarget.OpenAsync([PortalUrl(target.Port), PortalUrl(target.SecondPort)], MultipathDiskTests.FastOptions(PathPolicy.RoundRobin));
        await using var lun0 = await mpt.OpenDiskAsync(0);
        await using var lun1 = await mpt.OpenDiskAsync(1);

        var data0 = Patterns.Make(lun0.BlockSize * 8, 1);
        var data1 = Patterns.Make(lun1.BlockSize * 8, 2);
        await lun0.WriteAsync(10, data0);
        await lun1.WriteAsync(10, data1);
        var back0 = new byte[data0.Length];
        var back1 = new byte[data1.Length];
        await lun0.ReadAsync(10, back0);
        await lun1.ReadAsync(10, back1);
        Assert.Equal(data0, back0);
        Assert.Equal(data1, back1);

        Assert.Equal(512, lun0.BlockSize);
        Assert.Equal(4096, lun1.BlockSize);
        Assert.NotEqual(lun0.Designator, lun1.Designator);
        Assert.Equal(2, mpt.ConnectedSessions);
        Assert.Equal(2, target.Server.SessionCount); // two paths, two sessions: not one per LU per path
        for (var i = 0; i < 2; i++)
        {
            Assert.Same(lun0.Paths[i].Session, lun1.Paths[i].Session);
            Assert.Same(lun0.Paths[i].Port, lun1.Paths[i].Port);
        }
    }

    [Fact]
    public async Task LeastQueueDepth_CountsTheOutstandingIosOfEveryLunOnAPath()
    {
        var slowLun1 = new FaultInjectingBlockDevice(new MemoryBlockDevice(new BlockGeometry(4096, 4096, 16384)));
        await using var target = await LoopbackTarget.StartAsync((_, t) => t.Luns[1] = new LunOptions { Lun = 1, Backend = LunBackend.Memory, Device = slowLun1 });
        await using var mpt = await MultipathTarget.OpenAsync([PortalUrl(target.Port), PortalUrl(target.SecondPort)], MultipathDiskTests.FastOptions(PathPolicy.LeastQueueDepth));
        await using var lun0 = await mpt.OpenDiskAsync(0);
        await using var lun1 = await mpt.OpenDiskAsync(1, MultipathDiskTests.FastOptions(PathPolicy.FailoverOnly));

        // Four LUN 1 reads held at the target on path 0 (FailoverOnly keeps LUN 1 there).
        slowLun1.Hang(FaultOperations.Read);
        var held = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            held.Add(lun1.ReadAsync(i, new byte[4096]).AsTask());
        }

        await slowLun1.WaitUntilHungAsync(4).WaitAsync(Patience);
        Assert.Equal(4, lun0.Paths[0].Outstanding); // LUN 0's view of path 0 counts LUN 1's I/Os

        // LUN 0 with LeastQueueDepth: every I/O goes to the path without LUN 1's queue.
        var buffer = new byte[4096];
        for (var i = 0; i < 20; i++)
        {
            await lun0.ReadAsync(i * 8, buffer);
        }

        Assert.Equal(0, lun0.Paths[0].Completed);
        Assert.Equal(20, lun0.Paths[1].Completed);

        slowLun1.Clear();
        await Task.WhenAll(held).WaitAsync(Patience);
        Assert.Equal(0, lun0.Paths[0].Outstanding);
    }

    [Fact]
    public async Task DroppedSharedSession_IsReconnectedOnce_AndServesEveryLunAgain()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var relay = new LoopbackProxy(target.Port);
        await using var mpt = await MultipathTarget.OpenAsync([PortalUrl(relay.Port), PortalUrl(target.SecondPort)], MultipathDiskTests.FastOptions(PathPolicy.RoundRobin));
        await using var lun0 = await mpt.OpenDiskAsync(0);
        await using var lun1 = await mpt.OpenDiskAsync(1);
        var old = lun0.Paths[0].Session!;

        relay.ResetConnections();
        await Eventually.TrueAsync(() =>
            lun0.Paths[0].State == PathState.Active && lun1.Paths[0].State == PathState.Active
            && lun0.Paths[0].Session != old && lun1.Paths[0].Session != old);

        Assert.Same(lun0.Paths[0].Session, lun1.Paths[0].Session);
        Assert.Equal(old.Isid, lun0.Paths[0].Session!.Isid); // reinstated, the same I_T nexus
        Assert.Equal(2, relay.Clients.Count); // the first connection and one reconnect, not one per LU
        var before0 = lun0.Paths[0].Completed;
        var before1 = lun1.Paths[0].Completed;
        for (var i = 0; i < 4; i++)
        {
            await lun0.ReadAsync(i, new byte[512]);
            await lun1.ReadAsync(i, new byte[4096]);
        }

        Assert.True(lun0.Paths[0].Completed > before0);
        Assert.True(lun1.Paths[0].Completed > before1);
    }

    [Fact]
    public async Task UrlsNamingDifferentTargets_AreRefused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => MultipathTarget.OpenAsync(["iscsi://127.0.0.1/iqn.2026-11.io.storlane:a", "iscsi://127.0.0.2/iqn.2026-11.io.storlane:b"]));
        Assert.Contains("different targets", error.Message, StringComparison.Ordinal);
    }
}
