using System.Diagnostics;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Session;

/// <summary>Issuing SCSI commands: tag, CmdSN window, and cancellation.</summary>
public sealed partial class IscsiSession
{
    /// <summary>
    /// Sends one SCSI command to <paramref name="lun"/> and completes with its status when the target
    /// answers. Reads land in <paramref name="dataIn"/> directly; <paramref name="dataOut"/> is sent as
    /// immediate data, unsolicited Data-Out and R2T answers. A CHECK CONDITION is a result, not an
    /// exception; a lost connection throws <see cref="IscsiTransportException"/>. Cancelling returns at
    /// once with <see cref="OperationCanceledException"/>; a command already sent is then aborted
    /// (ABORT TASK) in the background and the buffers are never touched again.
    /// </summary>
    public ValueTask<ScsiCommandResult> ExecuteAsync(ulong lun, ReadOnlySpan<byte> cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CancellationToken cancellationToken = default) =>
        ExecuteAsync(lun, cdb, dataIn, dataOut, null, cancellationToken);

    /// <summary>
    /// The same, and <paramref name="tag"/> learns the command's ITT and CmdSN when it is sent, so a
    /// port layer can abort it (<see cref="AbortTaskAsync(ulong, CommandTag, CancellationToken)"/>)
    /// while the caller keeps waiting for its answer.
    /// </summary>
    public ValueTask<ScsiCommandResult> ExecuteAsync(ulong lun, ReadOnlySpan<byte> cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CommandTag? tag, CancellationToken cancellationToken = default)
    {
        if (cdb.Length is 0 or > 16)
        {
            throw new ArgumentException("the CDB must be 1 to 16 bytes", nameof(cdb));
        }

        if (!dataIn.IsEmpty && !dataOut.IsEmpty)
        {
            throw new ArgumentException("bidirectional commands are not supported");
        }

        var lunField = Iscsi.Lun.Encode(lun);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ScsiCommandResult>(cancellationToken);
        }

        ThrowIfDead();
        if (_tasks.TryRent(out var task))
        {
            return Start(task, lunField, cdb, dataIn, dataOut, tag, cancellationToken);
        }

        // Every tag is in use: wait for one (the CDB is copied because a span cannot cross an await).
        return ExecuteWhenTagFreeAsync(lunField, cdb.ToArray(), dataIn, dataOut, tag, cancellationToken);
    }

    /// <summary>The same for a CDB held in a <see cref="ScsiCdb"/>, which async callers can keep across awaits.</summary>
    public ValueTask<ScsiCommandResult> ExecuteAsync(ulong lun, in ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CancellationToken cancellationToken = default) =>
        ExecuteAsync(lun, cdb, dataIn, dataOut, null, cancellationToken);

    /// <summary>A <see cref="ScsiCdb"/> with a <see cref="CommandTag"/>.</summary>
    public ValueTask<ScsiCommandResult> ExecuteAsync(ulong lun, in ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CommandTag? tag, CancellationToken cancellationToken = default)
    {
        Span<byte> bytes = stackalloc byte[16];
        cdb.CopyTo(bytes);
        return ExecuteAsync(lun, bytes[..cdb.Length], dataIn, dataOut, tag, cancellationToken);
    }

    /// <summary>Called when a caller cancels: a command the target has seen is aborted so its tag can be freed.</summary>
    internal void OnAbandoned(InitiatorTask task)
    {
        bool sent;
        lock (_sendLock)
        {
            sent = task.Sent;
        }

        if (!sent || task.Kind != TaskKind.Scsi)
        {
            // Still waiting for the window: SendWaiting drops it. Control tasks end with the session or their answer.
            return;
        }

        var itt = task.Itt;
        var cmdSN = task.CmdSN;
        var lunField = task.LunField;
        _ = Task.Run(async () =>
        {
            try
            {
                await TaskManagementAsync(Iscsi.Pdu.TaskManagementFunction.AbortTask, lunField, itt, cmdSN, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IscsiTransportException or IscsiTaskManagementException or IscsiRejectException)
            {
                // A dead session retires the task anyway; a refused abort leaves it to its own answer.
            }
        });
    }

    private async ValueTask<ScsiCommandResult> ExecuteWhenTagFreeAsync(ulong lunField, byte[] cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CommandTag? tag, CancellationToken cancellationToken)
    {
        var task = await _tasks.RentAsync(cancellationToken).ConfigureAwait(false);
        return await Start(task, lunField, cdb, dataIn, dataOut, tag, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<ScsiCommandResult> Start(InitiatorTask task, ulong lunField, ReadOnlySpan<byte> cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CommandTag? tag, CancellationToken cancellationToken)
    {
        tag?.Reset();
        task.Tag = tag;
        task.Kind = TaskKind.Scsi;
        task.Session = this;
        task.LunField = lunField;
        cdb.CopyTo(task.Cdb);
        task.CdbLength = cdb.Length;
        task.ReadBuffer = dataIn;
        task.WriteBuffer = dataOut;
        task.TransferLength = dataIn.Length + dataOut.Length;
        task.StartTicks = Stopwatch.GetTimestamp();
        Statistics.Started(task.TransferLength);
        var result = task.AsValueTask();
        task.Start(cancellationToken);
        Submit(task);
        return result;
    }

    /// <summary>
    /// Queues a non-immediate task: it gets the next CmdSN and goes to the writer when the window is
    /// open and nobody is waiting ahead of it, otherwise it waits in order for MaxCmdSN to move.
    /// </summary>
    private void Submit(InitiatorTask task)
    {
        lock (_sendLock)
        {
            if (_dead)
            {
                // Fail below, outside the lock.
            }
            else if (_window.Waiting.Count == 0 && _window.IsOpen)
            {
                Send(task);
                return;
            }
            else
            {
                _window.Waiting.Enqueue(task);
                return;
            }
        }

        FailTask(task, new IscsiTransportException($"the session to {Portal} has ended"));
    }

    /// <summary>Queues an immediate PDU: it carries the next CmdSN without using it up (RFC 7143 3.2.2.1).</summary>
    private void SubmitImmediate(InitiatorTask task)
    {
        lock (_sendLock)
        {
            if (!_dead)
            {
                task.CmdSN = _window.Next;
                task.Sent = true;
                _outbound.Writer.TryWrite(OutboundItem.Control(task));
                return;
            }
        }

        FailTask(task, new IscsiTransportException($"the session to {Portal} has ended"));
    }

    /// <summary>Sends the tasks that were waiting for the window, in order. Caller holds the send lock.</summary>
    private void SendWaiting()
    {
        while (_window.IsOpen && _window.Waiting.TryDequeue(out var task))
        {
            bool abandoned;
            lock (task)
            {
                abandoned = task.Abandoned;
            }

            if (abandoned && task.TryFinishProtocol())
            {
                // Never sent, so nothing to abort and no CmdSN spent.
                RetireScsi(task, success: false);
                task.ReleaseProtocol();
                continue;
            }

            Send(task);
        }
    }

    private void Send(InitiatorTask task)
    {
        task.CmdSN = _window.Take();
        task.Sent = true;
        task.Tag?.MarkSent(task.Itt, task.CmdSN);
        _outbound.Writer.TryWrite(task.Kind == TaskKind.Scsi ? OutboundItem.Command(task) : OutboundItem.Control(task));
    }

    /// <summary>Completes a SCSI task whose command the target aborted (task management) with TASK ABORTED.</summary>
    private void AbortLocally(InitiatorTask task)
    {
        if (task.TryFinishProtocol())
        {
            RetireScsi(task, success: false);
            task.CompleteCaller(new ScsiCommandResult(ScsiStatus.TaskAborted, 0, null, 0, false, false, Stopwatch.GetElapsedTime(task.StartTicks)));
            task.ReleaseProtocol();
        }
    }
}
