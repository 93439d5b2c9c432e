namespace Storlane.Scsi;

/// <summary>
/// A lease that says which gateway owns a target served by several gateways (one RADOS lock object;
/// see docs/scale-out.md). Gateways are named by their target port group. The lease only decides
/// which group reports active/optimized: correctness never depends on it, because every gateway
/// writes straight to the cluster and reservations are kept in the cluster too.
/// </summary>
public interface IOwnershipLease
{
    /// <summary>
    /// Takes the lease for <paramref name="group"/> if nobody holds it (or its holder's lease ran out),
    /// renews it if <paramref name="group"/> holds it, and returns the holder after that.
    /// </summary>
    /// <exception cref="SharedStateUnavailableException">The cluster cannot be reached.</exception>
    ValueTask<ushort> AcquireOrRenewAsync(ushort group, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>The holder of an unexpired lease, null when nobody holds one (read only: a drained gateway watching).</summary>
    /// <exception cref="SharedStateUnavailableException">The cluster cannot be reached.</exception>
    ValueTask<ushort?> HolderAsync(CancellationToken cancellationToken);

    /// <summary>Gives the lease up if <paramref name="group"/> holds it (a drained gateway).</summary>
    /// <exception cref="SharedStateUnavailableException">The cluster cannot be reached.</exception>
    ValueTask ReleaseAsync(ushort group, CancellationToken cancellationToken);
}
