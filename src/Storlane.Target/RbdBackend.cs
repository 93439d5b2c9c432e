using Storlane.Ceph;
using Storlane.Ceph.Devices;
using Storlane.Ceph.Rados;
using Storlane.Ceph.Rbd;

namespace Storlane.Target;

/// <summary>
/// Opens an rbd LUN: connects to the cluster (with a deadline, so an unreachable cluster is an
/// error at start, not a hang), opens the pool and the image (creating it when the config says
/// how big), and wraps it in an <see cref="RbdBlockDevice"/>. The cluster connection and pool
/// context are released by their wrappers at once; librados keeps them alive, by reference, for
/// as long as the image stays open.
/// </summary>
internal static class RbdBackend
{
    /// <param name="sharedState">The LU's reservation state in the cluster (one object beside the image), for every gateway alike.</param>
    public static RbdBlockDevice Open(string targetName, LunOptions lun, out RadosLuSharedState sharedState)
    {
        var rbd = lun.Rbd ?? throw new TargetStartException($"{targetName} LUN {lun.Lun}: the rbd backend needs a pool and an image");
        var where = $"{targetName} LUN {lun.Lun} (rbd {rbd})";
        try
        {
            using var cluster = RadosCluster.Connect(new RadosConnectOptions
            {
                ConfPath = rbd.CephConf,
                MonitorHost = rbd.MonitorHost,
                ClientId = rbd.Client,
                KeyringPath = rbd.Keyring,
                ConnectTimeout = rbd.ConnectTimeout,

                // librbd's cache acknowledges writes before the OSDs have them once the initiator
                // has flushed (Pacific's write-around policy), and serves reads from memory: a killed
                // gateway would lose acknowledged writes that the initiator's multipath I/O carries on
                // without, and a gateway would read stale data another wrote. Off, whatever the conf says.
                Options = new Dictionary<string, string> { ["rbd_cache"] = "false" },
            });
            using var pool = cluster.OpenPool(rbd.Pool);
            var image = OpenOrCreate(pool, rbd, where);
            try
            {
                var device = RbdBlockDevice.Open(image, lun.LogicalBlockSize, Math.Max(lun.PhysicalBlockSize, lun.LogicalBlockSize), lun.ReadOnly);
                sharedState = new RadosLuSharedState(pool, rbd.Image);
                return device;
            }
            catch
            {
                image.Dispose();
                throw;
            }
        }
        catch (CephException e)
        {
            throw new TargetStartException($"{where}: {e.Message}", e);
        }
        catch (DllNotFoundException e)
        {
            throw new TargetStartException($"{where}: librados/librbd are not installed (Debian packages librados2 librbd1): {e.Message}", e);
        }
    }

    /// <summary>A connection of its own to the pool of <paramref name="lun"/>, for the target's ownership lease.</summary>
    public static RadosIoContext OpenPool(string targetName, LunOptions lun)
    {
        var rbd = lun.Rbd!;
        try
        {
            using var cluster = RadosCluster.Connect(new RadosConnectOptions
            {
                ConfPath = rbd.CephConf,
                MonitorHost = rbd.MonitorHost,
                ClientId = rbd.Client,
                KeyringPath = rbd.Keyring,
                ConnectTimeout = rbd.ConnectTimeout,
            });
            return cluster.OpenPool(rbd.Pool);
        }
        catch (CephException e)
        {
            throw new TargetStartException($"{targetName}: the ownership lease in pool {rbd.Pool}: {e.Message}", e);
        }
    }

    private static RbdImage OpenOrCreate(RadosIoContext pool, RbdLunOptions rbd, string where)
    {
        try
        {
            return RbdImage.Open(pool, rbd.Image);
        }
        catch (CephException e) when (e.ErrorCode == CephException.NoEntry)
        {
            if (rbd.CreateSizeBytes <= 0)
            {
                throw new TargetStartException($"{where}: the image does not exist (set 'create-size' to create it, or `rbd create --size SIZE {rbd}`)", e);
            }
        }

        try
        {
            RbdImage.Create(pool, rbd.Image, rbd.CreateSizeBytes, RbdImage.SharedWriterFeatures);
        }
        catch (CephException e) when (e.ErrorCode == CephException.Exists)
        {
            // Another gateway created it between our open and create: use theirs.
        }

        return RbdImage.Open(pool, rbd.Image);
    }
}
