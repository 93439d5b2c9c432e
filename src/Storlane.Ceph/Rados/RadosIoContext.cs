using Storlane.Ceph.Native;

namespace Storlane.Ceph.Rados;

/// <summary>
/// An I/O context on one pool (librados rados_ioctx_t): images are opened and objects are read and
/// written through it. Thread-safe. Keeps its <see cref="RadosCluster"/> connected until disposed.
/// </summary>
public sealed class RadosIoContext : IDisposable
{
    internal RadosIoContext(RadosIoContextHandle handle, string clusterFsid, string poolName, long poolId)
    {
        Handle = handle;
        ClusterFsid = clusterFsid;
        PoolName = poolName;
        PoolId = poolId;
    }

    /// <summary>The fsid of the cluster the pool belongs to.</summary>
    public string ClusterFsid { get; }

    public string PoolName { get; }

    /// <summary>The pool's numeric id, stable for the pool's life (part of an image's identity).</summary>
    public long PoolId { get; }

    /// <summary>The native context, for code in this assembly and for the cluster state store.</summary>
    internal RadosIoContextHandle Handle { get; }

    public void Dispose() => Handle.Dispose();
}
