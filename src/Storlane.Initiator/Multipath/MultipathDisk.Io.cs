using System.Diagnostics;
using Storlane.Initiator.Port;
using Storlane.Initiator.Session;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Multipath;

/// <summary>Reads, writes, flush and unmap, each through the failover loop.</summary>
public sealed partial class MultipathDisk
{
    private const int TaskAbortedRetries = 3;

    /// <summary>
    /// Runs one command until a path answers it. A transport error means the old session is already
    /// failed and its socket reset (nothing it still queued is sent), and a timeout means the reset
    /// ladder aborted the command, so in
    /// both cases the command (a write too) cannot land later on the old path and is reissued on
    /// another at once. With no usable path the command waits up to
    /// <see cref="MultipathOptions.AllPathsDownTimeout"/> for one.
    /// </summary>
    protected override async ValueTask RunCommandAsync(ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CancellationToken cancellationToken)
    {
        var bytes = dataIn.Length + dataOut.Length;
        MultipathPath? retriedFrom = null;
        var unitAttentions = 0;
        var aborted = 0;
        long downSince = 0;
        try
        {
            while (true)
            {
                var usable = Volatile.Read(ref _usable);
                if (usable.Length == 0)
                {
                    downSince = downSince == 0 ? Stopwatch.GetTimestamp() : downSince;
                    await WaitForPathAsync(downSince, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var path = (MultipathPath)_selector.Select(usable, bytes);
                var port = path.Port!;
                ScsiCommandResult result;
                path.BeginIo();
                try
                {
                    result = await port.ExecuteAsync(path.Lun, cdb, dataIn, dataOut, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IscsiTransportException or PortCommandTimeoutException)
                {
                    path.OnError();
                    OnPathFailed(path, ex.Message);
                    if (retriedFrom is null)
                    {
                        retriedFrom = path;
                        _meter.OnRetry(path);
                    }

                    continue;
                }
                finally
                {
                    // After OnRetry: the meter closes a failover only when the failed path has handed back every I/O.
                    path.EndIo();
                }

                path.OnCompleted(result.Latency, bytes, result.IsGood);
                _selector.OnCompleted(path, result.Latency, bytes);
                if (path.Health.OnCompletion(result.Latency) is { } old)
                {
                    OnStateChanged(path, old, "completions slower than " + _options.Health.SlowIoThreshold.TotalSeconds + " s");
                }

                if (result.IsUnitAttention && unitAttentions++ < _options.Disk.UnitAttentionRetries * _paths.Length)
                {
                    // Resets on other paths and ALUA changes raise attentions on every nexus; the command did not run.
                    if (result.Sense?.AdditionalSense == AdditionalSense.AsymmetricAccessStateChanged)
                    {
                        _ = RefreshAccessStatesAsync();
                    }

                    continue;
                }

                if (IsAccessStateError(result) && unitAttentions++ < _options.Disk.UnitAttentionRetries * _paths.Length)
                {
                    // The path's group is not (or no longer) accessible: the command did not run.
                    // Re-read every path's state first, so the retry goes where the LU is reachable.
                    await RefreshAccessStatesAsync().ConfigureAwait(false);
                    continue;
                }

                if (result.Status == ScsiStatus.TaskAborted && aborted++ < TaskAbortedRetries)
                {
                    continue; // another nexus's reset aborted it; it did not complete
                }

                _meter.OnCompleted(path, result.IsGood, retriedFrom);
                retriedFrom = null;
                result.ThrowIfFailed();
                return;
            }
        }
        finally
        {
            if (retriedFrom is not null)
            {
                _meter.OnRetryAbandoned(retriedFrom);
            }
        }
    }

    /// <summary>
    /// NOT READY, LOGICAL UNIT NOT ACCESSIBLE: ASYMMETRIC ACCESS STATE TRANSITION (04h/0Ah), TARGET
    /// PORT IN STANDBY STATE (0Bh) or UNAVAILABLE STATE (0Ch) (SPC-4 5.15.2.4): what ALUA reports for
    /// I/O through an inaccessible group, and what an NVMe path's ANA errors translate to.
    /// </summary>
    private static bool IsAccessStateError(in ScsiCommandResult result) =>
        result.Status == ScsiStatus.CheckCondition && result.Sense is
        {
            Key: SenseKey.NotReady,
            AdditionalSense: AdditionalSense.LogicalUnitNotAccessibleAsymmetricAccessStateTransition
                or AdditionalSense.LogicalUnitNotAccessibleTargetPortInStandbyState
                or AdditionalSense.LogicalUnitNotAccessibleTargetPortInUnavailableState,
        };

    private async ValueTask WaitForPathAsync(long downSince, CancellationToken cancellationToken)
    {
        var remaining = _options.AllPathsDownTimeout - Stopwatch.GetElapsedTime(downSince);
        if (remaining <= TimeSpan.Zero || _stopping.IsCancellationRequested)
        {
            throw new MultipathUnavailableException(
                $"all {_paths.Length} paths to LU {Designator} have been down for {_options.AllPathsDownTimeout.TotalSeconds:0.###} s; the I/O was not run (last error: {_lastPathError ?? "none"})",
                null);
        }

        Task signal;
        lock (_stateLock)
        {
            if (_usable.Length > 0)
            {
                return;
            }

            signal = _pathAvailable.Task;
        }

        try
        {
            await signal.WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The next pass throws MultipathUnavailableException.
        }
    }

    /// <summary>Link down, I/O error or failed probe: take the path out of rotation and open a failover record.</summary>
    private void OnPathFailed(MultipathPath path, string reason)
    {
        _lastPathError = path.Name + ": " + reason;
        if (path.Health.Fail() is { } old)
        {
            _meter.OnPathFailed(path, reason);
            OnStateChanged(path, old, reason);
        }
    }

    private void OnStateChanged(MultipathPath path, PathState old, string reason)
    {
        if (old == PathState.Active || path.State == PathState.Active)
        {
            RebuildUsable();
        }

        PathStateChanged?.Invoke(new PathStateChange(path.Name, old, path.State, reason));
    }

    /// <summary>
    /// Recomputes the paths I/O may use: active ones in the best ALUA state present (active/optimized
    /// before active/non-optimized; standby and unavailable groups carry no I/O).
    /// </summary>
    private void RebuildUsable()
    {
        lock (_stateLock)
        {
            var bestRank = int.MaxValue;
            foreach (var path in _paths)
            {
                var rank = Alua.Rank(path.AccessState);
                if (path.State == PathState.Active && path.Port is not null && rank >= 0 && rank < bestRank)
                {
                    bestRank = rank;
                }
            }

            var usable = new List<ISelectablePath>(_paths.Length);
            foreach (var path in _paths)
            {
                if (path.State == PathState.Active && path.Port is not null && Alua.Rank(path.AccessState) == bestRank)
                {
                    usable.Add(path);
                }
            }

            _usable = [.. usable];
            if (usable.Count > 0)
            {
                _pathAvailable.TrySetResult();
            }
            else if (_pathAvailable.Task.IsCompleted)
            {
                _pathAvailable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
