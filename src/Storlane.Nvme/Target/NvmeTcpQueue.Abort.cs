using System.Buffers;

namespace Storlane.Nvme.Target;

/// <summary>
/// Abort (NVMe base 2.0, 5.1): "a best effort command". What the controller can still stop without
/// touching the device: an AER it holds, and a command whose data the host has not been asked for
/// yet (waiting for an R2T slot). Those complete with Command Abort Requested before the Abort does,
/// whose DW0 bit 0 is then cleared; anything else is left to finish and the Abort reports "not
/// aborted" (bit 0 set to '1'), as 5.1.1 allows.
/// </summary>
internal sealed partial class NvmeTcpQueue
{
    private CommandResult Abort(NvmeController controller, in SubmissionEntry sqe)
    {
        // CDW10: SQID 15:0, CID 31:16.
        var queueId = (ushort)sqe.Cdw10;
        var commandId = (ushort)(sqe.Cdw10 >> 16);
        var aborted = queueId == 0
            ? controller.TryAbortAsyncEvent(commandId)
            : controller.FindQueue(queueId)?.TryAbortWaitingTransfer(commandId) == true;
        NvmeLog.AbortRequested(_logger, controller.Id, queueId, commandId, aborted);
        return new CommandResult(NvmeStatus.Success, aborted ? 0u : 1u);
    }

    /// <summary>Completes a held AER the host aborted; its CQE goes out before the Abort's (5.1.1).</summary>
    public void CompleteAborted(ushort commandId) => Complete(commandId, NvmeStatus.AbortRequested);

    /// <summary>
    /// Drops a command still queued for an R2T (none sent, so no H2CData can come for it) and
    /// completes it as aborted; false when it is not waiting (running, receiving data, or unknown).
    /// </summary>
    private bool TryAbortWaitingTransfer(ushort commandId)
    {
        PendingTransfer? transfer = null;
        lock (_transferLock)
        {
            var count = _waitingForR2T.Count;
            for (var i = 0; i < count; i++)
            {
                var tag = _waitingForR2T.Dequeue();
                if (transfer is null && _transfers[tag] is { } waiting && waiting.Command.CommandId == commandId)
                {
                    transfer = waiting;
                    _transfers[tag] = null;
                    continue;
                }

                _waitingForR2T.Enqueue(tag);
            }
        }

        if (transfer is null)
        {
            return false;
        }

        ArrayPool<byte>.Shared.Return(transfer.Buffer);
        ReleaseBuffer(transfer.Length);
        Complete(commandId, NvmeStatus.AbortRequested);
        return true;
    }
}
