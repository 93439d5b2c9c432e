using Storlane.Ceph.Tests.Infrastructure;
using Storlane.Lab.Ceph;

namespace Storlane.Ceph.Tests;

[Collection(CephCollection.Name)]
public sealed class SingleNodeCephTests(CephClusterFixture fixture)
{
    [CephFact]
    public async Task Start_LeavesThePoolActiveAndTheConfInsideItsOwnDirectory()
    {
        var pools = await fixture.Cluster.CephAsync(["osd", "pool", "ls"]);
        Assert.Contains(fixture.PoolName, pools.Split('\n', StringSplitOptions.TrimEntries));
        Assert.StartsWith(fixture.Cluster.Directory, fixture.Cluster.ConfPath, StringComparison.Ordinal);
        Assert.Contains("run dir = " + Path.Combine(fixture.Cluster.Directory, "run"), await File.ReadAllTextAsync(fixture.Cluster.ConfPath), StringComparison.Ordinal);
        Assert.Equal(3, fixture.Cluster.DaemonPids.Count);
    }

    [CephFact]
    public async Task Dispose_StopsEveryDaemonByPidAndRemovesTheDirectory_WhileAnotherClusterRuns()
    {
        var second = await SingleNodeCeph.StartAsync(new SingleNodeCephOptions { MemstoreBytes = 256L << 20 });
        var pids = second.DaemonPids;
        var directory = second.Directory;
        Assert.NotEqual(fixture.Cluster.MonitorPort, second.MonitorPort);

        await second.DisposeAsync();

        foreach (var pid in pids)
        {
            Assert.False(Directory.Exists("/proc/" + pid) && !File.ReadAllText("/proc/" + pid + "/stat").Contains(") Z ", StringComparison.Ordinal), $"daemon {pid} still runs");
        }

        Assert.False(Directory.Exists(directory));

        // The shared cluster was not touched.
        await fixture.Cluster.CephAsync(["osd", "pool", "ls"]);
    }

    [Fact]
    public void UnavailableReason_NamesThePackages_WhenSomethingIsMissing()
    {
        var reason = CephPrerequisites.UnavailableReason();
        if (reason is not null)
        {
            Assert.Matches("ceph|root|Linux", reason);
        }

        Assert.Contains("ceph-mon", CephPrerequisites.PackageList, StringComparison.Ordinal);
        Assert.Contains("librbd1", CephPrerequisites.PackageList, StringComparison.Ordinal);
    }
}
