using Storlane.Ceph.Rados;
using Storlane.Ceph.Tests.Infrastructure;

namespace Storlane.Ceph.Tests;

/// <summary>The gateway ownership lease (a cls_lock with a duration) against a real cluster, two clients.</summary>
[Collection(CephCollection.Name)]
public sealed class OwnershipRadosLeaseTests(CephClusterFixture fixture)
{
    [CephFact]
    public async Task OneGatewayHoldsTheLease_TheOtherTakesItOnlyAfterItExpires()
    {
        var target = "iqn.2025-01.dev.storlane:" + fixture.NewImageName("lease");
        var duration = TimeSpan.FromSeconds(2);
        using var otherCluster = await RadosCluster.ConnectAsync(new RadosConnectOptions { ConfPath = fixture.Cluster.ConfPath });
        using var otherPool = otherCluster.OpenPool(fixture.PoolName);
        using var one = new RadosOwnershipLease(fixture.Pool, target);
        using var two = new RadosOwnershipLease(otherPool, target);

        Assert.Null(await two.HolderAsync(CancellationToken.None));
        Assert.Equal((ushort)1, await one.AcquireOrRenewAsync(1, duration, CancellationToken.None));
        Assert.Equal((ushort)1, await two.AcquireOrRenewAsync(2, duration, CancellationToken.None));
        Assert.Equal((ushort)1, await one.AcquireOrRenewAsync(1, duration, CancellationToken.None));
        Assert.Equal((ushort)1, await two.HolderAsync(CancellationToken.None));

        // Gateway one stops renewing (it died): once the lease runs out nobody is listed, and two takes it.
        await Task.Delay(duration + TimeSpan.FromSeconds(1));
        Assert.Null(await two.HolderAsync(CancellationToken.None));
        Assert.Equal((ushort)2, await two.AcquireOrRenewAsync(2, duration, CancellationToken.None));
        Assert.Equal((ushort)2, await one.AcquireOrRenewAsync(1, duration, CancellationToken.None));

        // Releasing a lease one does not hold changes nothing; the holder's release frees it.
        await one.ReleaseAsync(1, CancellationToken.None);
        Assert.Equal((ushort)2, await one.HolderAsync(CancellationToken.None));
        await two.ReleaseAsync(2, CancellationToken.None);
        Assert.Null(await one.HolderAsync(CancellationToken.None));
    }
}
