using Storlane.Ceph.Rados;
using Storlane.Lab.Ceph;

namespace Storlane.Ceph.Tests.Infrastructure;

/// <summary>
/// One single-node Ceph with cephx for every test in the collection (a start costs 10-15 s), with one
/// librados connection and an I/O context on its rbd pool. Where Ceph cannot run the fixture
/// starts nothing and <see cref="CephFactAttribute"/> skips the tests. Each test makes its own
/// image (<see cref="NewImageName"/>) so tests never share data.
/// </summary>
public sealed class CephClusterFixture : IAsyncLifetime
{
    private SingleNodeCeph? _cluster;
    private RadosCluster? _rados;
    private RadosIoContext? _pool;
    private int _images;

    /// <summary>The running cluster; only touched by tests marked [CephFact].</summary>
    public SingleNodeCeph Cluster => _cluster ?? throw new InvalidOperationException(CephPrerequisites.UnavailableReason() ?? "the cluster did not start");

    /// <summary>A client connected through the cluster's conf.</summary>
    public RadosCluster Rados => _rados ?? throw new InvalidOperationException("the cluster did not start");

    /// <summary>The rbd pool.</summary>
    public RadosIoContext Pool => _pool ?? throw new InvalidOperationException("the cluster did not start");

    public string PoolName => Cluster.PoolName;

    /// <summary>A fresh image name, unique within the run: "test-N-NAME".</summary>
    public string NewImageName(string name) => "test-" + Interlocked.Increment(ref _images).ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + name;

    public async Task InitializeAsync()
    {
        if (CephPrerequisites.UnavailableReason() is not null)
        {
            return;
        }

        // cephx, as real clusters run: the conf names client.admin's keyring, so every test that
        // connects through the conf authenticates as admin; CephxTests make clients of their own.
        _cluster = await SingleNodeCeph.StartAsync(new SingleNodeCephOptions { Cephx = true });
        _rados = await RadosCluster.ConnectAsync(new RadosConnectOptions { ConfPath = _cluster.ConfPath });
        _pool = _rados.OpenPool(_cluster.PoolName);
    }

    public async Task DisposeAsync()
    {
        _pool?.Dispose();
        _rados?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>Every test class in this collection shares one <see cref="CephClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class CephCollection : ICollectionFixture<CephClusterFixture>
{
    public const string Name = "ceph";
}
