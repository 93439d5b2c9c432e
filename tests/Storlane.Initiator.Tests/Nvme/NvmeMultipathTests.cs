using System.Globalization;
using Storlane.Initiator.Multipath;
using Storlane.Initiator.Tests.Multipath;
using Storlane.Initiator.Tests.Support;
using Storlane.Scsi;
using Xunit.Abstractions;

namespace Storlane.Initiator.Tests.Nvme;

/// <summary>
/// MultipathDisk over NVMe/TCP: one namespace of Storlane's target through two loopback portals
/// (127.0.0.1 behind a relay that can be cut, and 127.0.0.2 direct), one controller each.
/// </summary>
public sealed class NvmeMultipathTests(ITestOutputHelper output)
{
    private static string Url(string address, int port, uint nsid) =>
        "nvme+tcp://" + address + ":" + port.ToString(CultureInfo.InvariantCulture) + "/" + NvmeLocalTarget.Nqn + "/" + nsid.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(1u)]
    [InlineData(2u)]
    public async Task NvmeMultipath_PathCutUnderVerifiedLoad_ZeroErrors_EveryWriteReadsBack(uint nsid)
    {
        await using var target = await NvmeLocalTarget.StartAsync("127.0.0.1", "127.0.0.2");
        await using var relay = new LoopbackProxy(target.Endpoint(0).Port);
        await using var disk = await MultipathDisk.OpenAsync(
            [Url("127.0.0.1", relay.Port, nsid), Url("127.0.0.2", target.Endpoint(1).Port, nsid)],
            MultipathDiskTests.FastOptions(PathPolicy.RoundRobin));
        Assert.Equal(2, disk.Paths.Count);
        Assert.All(disk.Paths, p => Assert.Equal(AluaState.ActiveOptimized, p.AccessState));
        var failovers = new List<FailoverEvent>();
        disk.FailoverCompleted += e =>
        {
            lock (failovers)
            {
                failovers.Add(e);
            }
        };

        // The relay resets every connection of path 0 and refuses new ones: its listener is gone.
        // Each worker owns 1024 blocks; NSID 2 has 4096.
        var workload = await Workload.RunAsync(disk, workers: nsid == 1 ? 8 : 4, TimeSpan.FromSeconds(3), relay.Cut);

        Assert.Empty(workload.Errors);
        await workload.VerifyAsync(disk);
        Assert.True(workload.Ios > 100, $"only {workload.Ios} I/Os ran");
        Assert.True(disk.Paths[0].State != PathState.Active, "the cut path is still in rotation");
        Assert.True(disk.Paths[1].Completed > 0);
        lock (failovers)
        {
            Assert.NotEmpty(failovers);
            foreach (var failover in failovers)
            {
                // Reported, not asserted: a timed bound would flake on a shared 2-core machine.
                output.WriteLine($"failover {failover.FromPath} -> {failover.ToPath}: {failover.Duration.TotalMilliseconds:0.0} ms, {failover.RetriedIos} I/Os reissued ({failover.Reason})");
            }
        }

        output.WriteLine($"{workload.Ios} verified I/Os, worst latency {workload.WorstLatency.TotalMilliseconds:0.0} ms, {disk.RetriedIos} reissued, 0 errors");
    }

    [Fact]
    public async Task NvmeMultipath_AnaChangeNotice_MovesIoToOptimized_ThenNonOptimizedWhenNoneLeft()
    {
        await using var target = await NvmeLocalTarget.StartAsync("127.0.0.1", "127.0.0.2");
        target.Device.SetTargetPortGroupState(1, TargetPortGroupState.ActiveNonOptimized);
        await using var disk = await MultipathDisk.OpenAsync(
            [Url("127.0.0.1", target.Endpoint(0).Port, 1), Url("127.0.0.2", target.Endpoint(1).Port, 1)],
            MultipathDiskTests.FastOptions(PathPolicy.RoundRobin));
        Assert.Equal(AluaState.ActiveNonOptimized, disk.Paths[0].AccessState);
        Assert.Equal(AluaState.ActiveOptimized, disk.Paths[1].AccessState);

        var data = Patterns.Make(64 * 512, 5);
        var back = new byte[data.Length];
        for (var i = 0; i < 20; i++)
        {
            await disk.WriteAsync(i * 64, data);
        }

        Assert.Equal(0, disk.Paths[0].Completed);

        // Group 2 becomes inaccessible and the target says so by an ANA change AER: I/O moves to the non-optimized path.
        target.SetGroupState(2, TargetPortGroupState.Standby);
        for (var i = 0; i < 20; i++)
        {
            await disk.ReadAsync(i * 64, back);
            Assert.Equal(data, back);
        }

        Assert.Equal(AluaState.Standby, disk.Paths[1].AccessState);
        Assert.True(disk.Paths[0].Completed > 0, "no I/O went to the non-optimized path when it was the only accessible one");
    }

    [Fact]
    public async Task NvmeMultipath_AnaInaccessibleWithoutNotice_PathErrorRereadsAna_AndIoMoves()
    {
        await using var target = await NvmeLocalTarget.StartAsync("127.0.0.1", "127.0.0.2");
        await using var disk = await MultipathDisk.OpenAsync(
            [Url("127.0.0.1", target.Endpoint(0).Port, 2), Url("127.0.0.2", target.Endpoint(1).Port, 2)],
            MultipathDiskTests.FastOptions(PathPolicy.RoundRobin));

        // No AER: the first I/O through group 1 ends "Asymmetric Access Inaccessible", which must re-read ANA and retry elsewhere.
        target.Device.SetTargetPortGroupState(1, TargetPortGroupState.Unavailable);
        var data = Patterns.Make(8 * 4096, 9);
        var back = new byte[data.Length];
        for (var i = 0; i < 10; i++)
        {
            await disk.WriteAsync(i * 8, data);
            await disk.ReadAsync(i * 8, back);
            Assert.Equal(data, back);
        }

        Assert.Equal(AluaState.Standby, disk.Paths[0].AccessState);
    }

    [Fact]
    public async Task NvmeMultipath_MixedProtocols_AreRefused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => MultipathDisk.OpenAsync(
            [Url("127.0.0.1", 4420, 1), "iscsi://127.0.0.1:3260/iqn.2026-11.io.storlane:x/0"]));
        Assert.Contains("one protocol", error.Message, StringComparison.Ordinal);
    }
}
