using System.Diagnostics;
using Storlane.Ceph.Rados;
using Storlane.Ceph.Tests.Infrastructure;

namespace Storlane.Ceph.Tests;

[Collection(CephCollection.Name)]
public sealed class RadosClusterTests(CephClusterFixture fixture)
{
    [CephFact]
    public async Task Connect_ThroughMonitorHostWithoutConf_ReachesTheSameCluster()
    {
        using var cluster = await RadosCluster.ConnectAsync(new RadosConnectOptions
        {
            MonitorHost = fixture.Cluster.MonitorHost,
            KeyringPath = fixture.Cluster.KeyringPath,
        });
        Assert.Equal(fixture.Cluster.Fsid.ToString(), cluster.Fsid);
        using var pool = cluster.OpenPool(fixture.PoolName);
        Assert.Equal(fixture.Pool.PoolId, pool.PoolId);
    }

    [CephFact]
    public async Task Connect_ToAMonitorThatIsNotThere_FailsWithinTheTimeoutInsteadOfHanging()
    {
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<CephException>(() => RadosCluster.ConnectAsync(new RadosConnectOptions
        {
            MonitorHost = "127.0.0.1:1",
            ConnectTimeout = TimeSpan.FromSeconds(2),
            Options = new Dictionary<string, string> { ["auth_client_required"] = "none" },
        }));
        Assert.Equal("rados_connect", error.Operation);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);

        // Not a speed assertion: librados's default would wait 300 s; anything near that is a hang.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"connect gave up after {clock.Elapsed}");
    }

    [CephFact]
    public void OpenPool_ThatDoesNotExist_IsNoEntry()
    {
        var error = Assert.Throws<CephException>(() => fixture.Rados.OpenPool("no-such-pool"));
        Assert.Equal(CephException.NoEntry, error.ErrorCode);
        Assert.Contains("no-such-pool", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_WithAConfThatDoesNotExist_SaysWhichFile()
    {
        var error = Assert.Throws<CephException>(() => RadosCluster.Connect(new RadosConnectOptions { ConfPath = "/nonexistent/ceph.conf" }));
        Assert.Contains("/nonexistent/ceph.conf", error.Message, StringComparison.Ordinal);
    }
}
