using Storlane.Ceph;
using Storlane.Ceph.Rados;
using Storlane.Scsi;
using Storlane.Storage;

namespace Storlane.Target;

/// <summary>
/// Serving rbd images as one of several gateways: each rbd LU keeps its reservations in the cluster
/// (<see cref="RadosLuSharedState"/>, closed with the LU's device), and with
/// <see cref="GatewayOptions.Ownership"/> each target with an rbd LUN competes for the ownership lease
/// that decides which gateway's portal group is active/optimized.
/// </summary>
public sealed partial class IscsiTargetServer
{
    // The cluster state of each open rbd device, closed after the device; guarded by _optionsLock.
    private readonly Dictionary<IBlockDevice, RadosLuSharedState> _clusterStates = new(ReferenceEqualityComparer.Instance);

    private readonly List<(GatewayOwnership Ownership, RadosOwnershipLease Lease, RadosIoContext Pool)> _ownerships = [];

    /// <summary>A target device named as this gateway (the host name unless the config names it).</summary>
    private ScsiTargetDevice NewTargetDevice(string targetName) =>
        Options.Gateway.Name is { } gateway
            ? new ScsiTargetDevice(targetName, _loggers.Scsi) { GatewayName = gateway }
            : new ScsiTargetDevice(targetName, _loggers.Scsi);

    private IBlockDevice OpenRbd(TargetOptions target, LunOptions lun)
    {
        var device = RbdBackend.Open(target.Name, lun, out var state);
        lock (_optionsLock)
        {
            _clusterStates.Add(device, state);
        }

        return device;
    }

    private ILuSharedState? ClusterStateOf(IBlockDevice block)
    {
        lock (_optionsLock)
        {
            return _clusterStates.GetValueOrDefault(block);
        }
    }

    /// <summary>Stops watching an rbd LU's state object (after its device closed).</summary>
    private void CloseClusterState(IBlockDevice block)
    {
        RadosLuSharedState? state;
        lock (_optionsLock)
        {
            _clusterStates.Remove(block, out state);
        }

        state?.Dispose();
    }

    /// <summary>
    /// Starts competing for a target's ownership when the config asks and the target serves an rbd
    /// image: the lease object lives in the pool of its first rbd LUN, on a connection of its own.
    /// </summary>
    private void StartOwnership(TargetOptions target, ScsiTargetDevice device)
    {
        var gateway = Options.Gateway;
        if (!gateway.Ownership || target.Luns.Find(l => l.Backend == LunBackend.Rbd && l.Device is null) is not { } lun)
        {
            return;
        }

        var ownGroups = Options.Portals.Select(p => p.Group).Distinct().ToList();
        if (ownGroups.Count != 1 || !gateway.Groups.Contains(ownGroups[0]))
        {
            throw new TargetStartException($"{target.Name}: gateway ownership needs this gateway's portals in one portal group that 'groups' lists (portal groups here: {string.Join(", ", ownGroups)})");
        }

        var pool = RbdBackend.OpenPool(target.Name, lun);
        var lease = new RadosOwnershipLease(pool, target.Name);
        var ownership = new GatewayOwnership(device, ownGroups[0], gateway.Groups, lease, gateway.LeaseDuration);
        _ownerships.Add((ownership, lease, pool));
        ownership.Start();
    }

    /// <summary>Stops the ownership rounds; the lease is left to expire (a restarted gateway takes it back by renewal or expiry).</summary>
    private async ValueTask StopOwnershipsAsync()
    {
        foreach (var (ownership, lease, pool) in _ownerships)
        {
            await ownership.DisposeAsync().ConfigureAwait(false);
            lease.Dispose();
            pool.Dispose();
        }

        _ownerships.Clear();
    }
}
