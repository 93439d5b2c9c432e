namespace Storlane.Scsi;

/// <summary>
/// Asymmetric access across gateways (SPC-4 5.16, implicit ALUA): each gateway is its own target port
/// group; the owner of the <see cref="IOwnershipLease"/> reports its group active/optimized and every
/// other group active/non-optimized, and every gateway reports the same. Every round (a third of the
/// lease) the gateway takes or renews the lease and applies what it learnt; when the owner dies its
/// lease runs out and another gateway takes it; a drained gateway gives it up. Each change of state
/// raises ASYMMETRIC ACCESS STATE CHANGED at every I_T nexus (SPC-4 5.16.2.6, through
/// <see cref="ScsiTargetDevice.SetTargetPortGroupState"/>), so initiators re-read REPORT TARGET PORT
/// GROUPS and move their I/O to the new owner.
/// </summary>
public sealed class GatewayOwnership : IAsyncDisposable
{
    private readonly ScsiTargetDevice _target;
    private readonly IOwnershipLease _lease;
    private readonly ushort _ownGroup;
    private readonly ushort[] _groups;
    private readonly TimeSpan _duration;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private volatile bool _drained;

    /// <param name="target">The target device this gateway serves.</param>
    /// <param name="ownGroup">This gateway's target port group.</param>
    /// <param name="groups">Every gateway's target port group, this one's included.</param>
    /// <param name="lease">The shared lease.</param>
    /// <param name="duration">How long a lease lasts without renewal: the longest an owner's death goes unnoticed.</param>
    public GatewayOwnership(ScsiTargetDevice target, ushort ownGroup, IReadOnlyList<ushort> groups, IOwnershipLease lease, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.FromSeconds(1));
        if (!groups.Contains(ownGroup))
        {
            throw new ArgumentException($"the groups must include this gateway's group {ownGroup}", nameof(groups));
        }

        _target = target;
        _ownGroup = ownGroup;
        _groups = [.. groups];
        _lease = lease;
        _duration = duration;

        // Every gateway lists every gateway's group in REPORT TARGET PORT GROUPS, so an initiator that
        // reaches one gateway learns all paths and their states. Relative target port = portal group
        // tag, as the iSCSI target numbers its ports.
        foreach (var group in _groups)
        {
            target.AddTargetPort(group, group);
        }
    }

    /// <summary>The owning group as last learnt; null before the first round or while the cluster is unreachable.</summary>
    public ushort? Owner { get; private set; }

    /// <summary>Runs rounds in the background until disposed.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>
    /// One round: take or renew the lease (unless drained), then report the owner's group
    /// active/optimized and the others active/non-optimized. A gateway that cannot reach the cluster
    /// does not claim to be optimized: it reports its own group non-optimized and keeps the others as
    /// they were (its units answer NOT READY meanwhile, see <see cref="ReservationState"/>).
    /// </summary>
    public async ValueTask<ushort?> RoundAsync(CancellationToken cancellationToken)
    {
        ushort? owner;
        try
        {
            owner = _drained
                ? await _lease.HolderAsync(cancellationToken).ConfigureAwait(false)
                : await _lease.AcquireOrRenewAsync(_ownGroup, _duration, cancellationToken).ConfigureAwait(false);
        }
        catch (SharedStateUnavailableException)
        {
            Owner = null;
            _target.SetTargetPortGroupState(_ownGroup, TargetPortGroupState.ActiveNonOptimized);
            return null;
        }

        Owner = owner;
        foreach (var group in _groups)
        {
            _target.SetTargetPortGroupState(group, group == owner ? TargetPortGroupState.ActiveOptimized : TargetPortGroupState.ActiveNonOptimized);
        }

        return owner;
    }

    /// <summary>
    /// Takes this gateway out of the running for ownership (maintenance): it gives the lease up, reports
    /// its group non-optimized and lets another gateway take over within one round of theirs.
    /// </summary>
    public async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        _drained = true;
        await _lease.ReleaseAsync(_ownGroup, cancellationToken).ConfigureAwait(false);
        _target.SetTargetPortGroupState(_ownGroup, TargetPortGroupState.ActiveNonOptimized);
    }

    /// <summary>Competes for ownership again after <see cref="DrainAsync"/>.</summary>
    public void Undrain() => _drained = false;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var period = _duration / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A lease that fails otherwise than "unreachable" is treated alike: no claim this round.
                Owner = null;
                _target.SetTargetPortGroupState(_ownGroup, TargetPortGroupState.ActiveNonOptimized);
            }

            await Task.Delay(period, cancellationToken).ConfigureAwait(false);
        }
    }
}
