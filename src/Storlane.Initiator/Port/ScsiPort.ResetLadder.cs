using Storlane.Initiator.Session;

namespace Storlane.Initiator.Port;

/// <summary>
/// Timeouts and the reset ladder: ABORT TASK, then LOGICAL UNIT RESET, then TARGET WARM RESET, then
/// drop the connection (the multipath layer reinstates the session). Each rung is tried only when the
/// narrower one failed or the command is still outstanding after it, so a hung command disturbs its
/// own LU where possible; the LU is paused while the ladder runs (Storport does the same).
/// </summary>
public sealed partial class ScsiPort
{
    private readonly HashSet<ulong> _laddersRunning = [];
    private int _targetResetsRunning;

    /// <summary>Timer tick: starts one ladder per LU for the oldest command past the timeout.</summary>
    private void ScanForTimeouts()
    {
        if (Volatile.Read(ref _targetResetsRunning) != 0)
        {
            // A TARGET WARM RESET is outstanding: it covers every LU, and the other LUs' commands it
            // aborted wait for its answer (an aborted task sends no status, SAM-5 TAS=0). Its
            // outcome, or the drop after it, settles them; a ladder of their own would only pile on.
            return;
        }

        var limitTicks = (long)(_options.CommandTimeout.TotalSeconds * _options.Time.TimestampFrequency);
        var now = _options.Time.GetTimestamp();
        foreach (var queue in _luns.Values)
        {
            if (queue.Outstanding == 0)
            {
                continue;
            }

            queue.ForEachInFlight((q, request) =>
            {
                // A command covered by another command's LU or target reset ends with TASK ABORTED
                // and is reissued by the caller; one still hanging gets its own ladder next tick.
                if (now - request.StartTicks > limitTicks && request.Tag.IsSent && !request.Escalated && StartLadder(q.Lun))
                {
                    request.TryEscalate();
                    _ = RunLadderAsync(q, request);
                }
            });
        }
    }

    private bool StartLadder(ulong lun)
    {
        lock (_laddersRunning)
        {
            return _laddersRunning.Add(lun);
        }
    }

    private async Task RunLadderAsync(LunQueue queue, PortRequest request)
    {
        var transport = Transport;
        var tag = request.Tag;
        var itt = tag.Itt;
        var targetReset = false;
        queue.Pause();
        try
        {
            // Each rung "cleared" the command when the request slot is free again (the session
            // completed it with TASK ABORTED) or the tag now names another command.
            bool Cleared() => !request.InUse || tag.Itt != itt;

            if (await TryStepAsync(ResetStep.AbortTask, queue.Lun, ct => transport.AbortTaskAsync(queue.Lun, tag, ct), Cleared).ConfigureAwait(false))
            {
                return;
            }

            if (await TryStepAsync(ResetStep.LogicalUnitReset, queue.Lun, ct => transport.LogicalUnitResetAsync(queue.Lun, ct), Cleared).ConfigureAwait(false))
            {
                return;
            }

            // Held until the drop below too, so no other LU's ladder starts on the dying session.
            Interlocked.Increment(ref _targetResetsRunning);
            targetReset = true;
            if (await TryStepAsync(ResetStep.TargetWarmReset, queue.Lun, transport.TargetWarmResetAsync, Cleared).ConfigureAwait(false))
            {
                return;
            }

            // Reported first: dropping wakes the caller, who may look at the events at once.
            ResetLadderStep?.Invoke(new ResetLadderEvent(transport.Name, queue.Lun, ResetStep.Reconnect, true, TimeSpan.Zero, null));
            transport.Drop("the reset ladder could not clear a command that timed out");
        }
        finally
        {
            if (targetReset)
            {
                Interlocked.Decrement(ref _targetResetsRunning);
            }

            lock (_laddersRunning)
            {
                _laddersRunning.Remove(queue.Lun);
            }

            queue.Resume();
        }
    }

    /// <summary>Runs one rung with <see cref="PortOptions.ResetStepTimeout"/>; true when it answered and the command is gone.</summary>
    private async Task<bool> TryStepAsync(ResetStep step, ulong lun, Func<CancellationToken, Task> action, Func<bool> cleared)
    {
        var started = _options.Time.GetTimestamp();
        string? error = null;
        var succeeded = false;
        using var timeout = new CancellationTokenSource(_options.ResetStepTimeout, _options.Time);
        try
        {
            await action(timeout.Token).ConfigureAwait(false);

            // The TMF response and the command's TASK ABORTED are handled on the same receive loop;
            // give the caller a moment to release the slot.
            for (var i = 0; i < 100 && !cleared(); i++)
            {
                await Task.Delay(1, CancellationToken.None).ConfigureAwait(false);
            }

            succeeded = cleared();
            error = succeeded ? null : "the command is still outstanding";
        }
        catch (Exception ex) when (ex is OperationCanceledException or IscsiTaskManagementException or IscsiRejectException or IscsiTransportException or TimeoutException or InvalidOperationException)
        {
            error = ex is OperationCanceledException ? $"no answer within {_options.ResetStepTimeout.TotalSeconds:0.###} s" : ex.Message;
        }

        ResetLadderStep?.Invoke(new ResetLadderEvent(Transport.Name, lun, step, succeeded, _options.Time.GetElapsedTime(started), error));
        return succeeded;
    }
}
