using Storlane.Initiator.Port;
using Storlane.Initiator.Scsi;
using Storlane.Initiator.Session;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Multipath;

/// <summary>
/// The background side: connecting and reconnecting paths (bounded exponential backoff, session
/// reinstatement), watching each session for link down, probing idle and failed paths with TEST
/// UNIT READY, and reading ALUA states.
/// </summary>
public sealed partial class MultipathDisk
{
    /// <summary>
    /// Connects the path (a dead iSCSI session reconnects with its ISID, so the target reinstates the
    /// session and drops whatever the old connection left; an NVMe/TCP path sets up a new controller
    /// association), checks that it reaches the same LU, reads its access state (ALUA or ANA), and
    /// attaches the transport to the path's port.
    /// </summary>
    private async Task ConnectPathAsync(MultipathPath path, CancellationToken cancellationToken)
    {
        // The path's connection hands out its live transport, or reconnects it (shared by every LU
        // of a MultipathTarget on this portal, so only the first LU to notice reconnects).
        var transport = await path.Connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var lu = await path.Connection.OpenLuAsync(transport, path.Lun, _options.Disk, cancellationToken).ConfigureAwait(false);
        AdoptGeometry(path, lu);
        path.Designator = lu.Designator;
        path.TargetPortGroup = lu.TargetPortGroup;
        path.AccessState = await path.Connection.ReadAccessStateAsync(transport, path.Lun, path.TargetPortGroup, cancellationToken).ConfigureAwait(false);
        path.Attach(transport);
        _ = WatchLinkAsync(path, transport);
    }

    /// <summary>The first path sets the LU's identity and geometry; every later one must match it.</summary>
    private void AdoptGeometry(MultipathPath path, PathLuInfo lu)
    {
        lock (_stateLock)
        {
            if (BlockSize == 0)
            {
                if (lu.Designator is null && _paths.Length > 1)
                {
                    throw new MultipathGroupingException($"{path.Name} reports no LU designator (VPD 83h), so its paths cannot be matched");
                }

                Designator = lu.Designator;
                BlockSize = lu.BlockSize;
                PhysicalBlockSize = lu.PhysicalBlockSize;
                BlockCount = lu.BlockCount;
            }
            else if (lu.Designator is null || !lu.Designator.Equals(Designator) || lu.BlockSize != BlockSize || lu.BlockCount != BlockCount)
            {
                throw new MultipathGroupingException(
                    $"{path.Name} leads to LU {lu.Designator?.ToString() ?? "(no designator)"} ({lu.BlockCount} x {lu.BlockSize} B), not {Designator} ({BlockCount} x {BlockSize} B): refusing to group them");
            }

            MaxTransferBlocks = Math.Min(MaxTransferBlocks, lu.MaxTransferBlocks);
            MaxUnmapBlocks = Math.Min(MaxUnmapBlocks, lu.MaxUnmapBlocks);
        }
    }

    /// <summary>After an ASYMMETRIC ACCESS STATE CHANGED attention: re-read every connected path's state.</summary>
    private async Task RefreshAccessStatesAsync()
    {
        foreach (var path in _paths)
        {
            if (path.Transport is { IsConnected: true } transport)
            {
                try
                {
                    path.AccessState = await path.Connection.ReadAccessStateAsync(transport, path.Lun, path.TargetPortGroup, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or Nvme.NvmeCommandException or OperationCanceledException)
                {
                    // The path's own failure handling takes over.
                }
            }
        }

        RebuildUsable();
    }

    /// <summary>LinkDown: the session ended, so the path leaves rotation before any I/O has to fail on it.</summary>
    private async Task WatchLinkAsync(MultipathPath path, IScsiTransport transport)
    {
        var reason = await transport.Terminated.ConfigureAwait(false);
        if (!_stopping.IsCancellationRequested && path.Transport == transport)
        {
            OnPathFailed(path, "link down: " + reason.Message);
        }
    }

    private async Task MonitorLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.ProbeInterval);
        while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
        {
            foreach (var path in _paths)
            {
                try
                {
                    await CheckPathAsync(path, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One path's surprise must not stop the others' monitoring.
                    _lastPathError = path.Name + ": " + ex.Message;
                }
            }
        }
    }

    /// <summary>Reconnects a path without a live session (when its backoff allows), otherwise probes it unless real I/O just proved it.</summary>
    private async Task CheckPathAsync(MultipathPath path, CancellationToken cancellationToken)
    {
        if (path.Transport is not { IsConnected: true } transport)
        {
            if (DateTime.UtcNow < path.NextReconnect)
            {
                return;
            }

            try
            {
                await ConnectPathAsync(path, cancellationToken).ConfigureAwait(false);
                path.ReconnectDelay = _options.MinReconnectDelay;
                OnProbe(path, good: true, "reconnected");
            }
            catch (Exception ex) when (ex is IscsiTransportException or IscsiLoginException or ScsiCommandException or MultipathGroupingException or IOException or Nvme.NvmeCommandException)
            {
                _lastPathError = path.Name + ": " + ex.Message;
                path.NextReconnect = DateTime.UtcNow + path.ReconnectDelay;
                path.ReconnectDelay = TimeSpan.FromTicks(Math.Min(path.ReconnectDelay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
            }

            return;
        }

        if (path.State == PathState.Active && path.Outstanding > 0 && transport.ReceiveSilence < _options.ProbeInterval)
        {
            return; // busy with real I/O whose answers keep coming: they feed health directly
        }

        bool good;
        var unanswered = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ProbeTimeout);
            var result = await transport.ExecuteAsync(path.Lun, ScsiCdb.TestUnitReady(), default, default, new CommandTag(), timeout.Token).ConfigureAwait(false);
            good = result.IsGood || result.IsUnitAttention || result.Status == ScsiStatus.TaskAborted;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            good = false;
            unanswered = true;
        }
        catch (IscsiTransportException)
        {
            good = false;
        }

        OnProbe(path, good, good ? "probe answered" : unanswered ? "probe unanswered" : "probe failed");
        if (unanswered)
        {
            FailBackInFlight(path, transport);
        }
    }

    /// <summary>
    /// A failed path whose session does not answer still holds the I/Os that were in flight on it,
    /// and they would wait for the session's keepalive or the port's command timeout (10 s and
    /// more) to come back. When another path can take them, the session is dropped now, as MSDSM
    /// and dm-multipath fail a dead path's outstanding I/O back: every command on it fails with a
    /// transport error and <see cref="RunCommandAsync"/> reissues it on a surviving path. The drop
    /// is a reset that discards whatever this host had not yet delivered, so no reissued write can
    /// also arrive later through the old connection and land after a newer write to its blocks;
    /// the path reconnects with its ISID (session reinstatement, RFC 7143 6.3.5), which makes the
    /// target end whatever the old connection still held. With no other path usable the session is
    /// kept: its I/O has nowhere else to go, and a slow target may still answer it.
    /// </summary>
    private void FailBackInFlight(MultipathPath path, IScsiTransport transport)
    {
        if (path.State == PathState.Failed && path.Transport == transport && transport.IsConnected && Volatile.Read(ref _usable).Length > 0)
        {
            transport.Drop($"the path failed (no answer to a probe within {_options.ProbeTimeout.TotalSeconds:0.###} s); its I/O is reissued on another path");
        }
    }

    private void OnProbe(MultipathPath path, bool good, string reason)
    {
        var waive = Volatile.Read(ref _usable).Length == 0;
        if (path.Health.OnProbe(good, waive) is { } old)
        {
            if (!good)
            {
                _meter.OnPathFailed(path, reason);
            }

            OnStateChanged(path, old, reason);
        }
    }
}
