using System.Buffers;
using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Scsi;

namespace Storlane.Target.Connections;

/// <summary>SCSI Command, Data-Out and R2T handling (RFC 7143 11.3, 11.7, 11.8).</summary>
internal sealed partial class IscsiConnection
{
    /// <summary>AHS type 1: extended CDB (RFC 7143 11.2.2.3).</summary>
    private const byte ExtendedCdbAhsType = 1;

    private void HandleScsiCommand(Bhs bhs, in PduFrame frame)
    {
        var session = _session!;
        if (session.Target is null)
        {
            // RFC 7143 4.3: a discovery session carries only Text, NOP and Logout.
            Enqueue(CreateReject(RejectReason.ProtocolError, _header));
            return;
        }

        var itt = bhs.InitiatorTaskTag;
        var immediateData = frame.Data;
        var expected = bhs.ExpectedDataTransferLength;
        if (bhs.Immediate && !session.Window.HasRoomForImmediateTask)
        {
            // RFC 7143 11.17.1: Reject reason 0x06, "Immediate command reject - too many immediate
            // commands", which the initiator may retry. Only this loop adds tasks, so the room
            // seen here is still there below.
            Enqueue(CreateReject(RejectReason.ImmediateCommandReject, _header));
            return;
        }

        if (!session.Window.TryAccept(bhs.CmdSN, bhs.Immediate, consumesTask: true))
        {
            return;
        }

        session.Counters.Command();

        if (bhs.ReadFlag && bhs.WriteFlag)
        {
            // Bidirectional commands need a read AHS and a second buffer; no SBC command uses them.
            session.Window.TaskFinished();
            Enqueue(CreateReject(RejectReason.CommandNotSupported, _header));
            return;
        }

        if (!immediateData.IsEmpty && !bhs.WriteFlag)
        {
            // RFC 7143 11.3.1: immediate data only with W set.
            IscsiProtocolException.Throw(RejectReason.ProtocolError, "data segment on a command without the W bit");
        }

        if (immediateData.Length > expected || (!immediateData.IsEmpty && !session.Parameters.ImmediateData)
            || immediateData.Length > session.Parameters.FirstBurstLength)
        {
            // RFC 7143 13.11 / 13.14: immediate data only when negotiated, at most FirstBurstLength.
            IscsiProtocolException.Throw(RejectReason.ProtocolError, "immediate data not allowed or longer than FirstBurstLength or the expected length");
        }

        var task = _tasks.Rent();
        task.ArrivedTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        task.InitiatorTaskTag = itt;
        task.CmdSN = bhs.CmdSN;
        task.LunField = bhs.LunField;
        task.ExpectedLength = expected;
        task.IsRead = bhs.ReadFlag;
        task.IsWrite = bhs.WriteFlag;
        var cdbLength = CopyCdb(bhs, frame.AdditionalHeaders, task);

        if (!_tasks.TryAdd(task))
        {
            session.Window.TaskFinished();
            _tasks.Return(task);
            Enqueue(CreateReject(RejectReason.TaskInProgress, _header));
            return;
        }

        var command = task.Command;
        command.Nexus = session.Nexus!;
        command.Lun = Lun.TryDecode(bhs.LunField, out var lun) ? lun : ulong.MaxValue;
        command.Cdb = task.Cdb(cdbLength);
        command.Attribute = (ScsiTaskAttribute)Math.Min(bhs.TaskAttribute, (byte)ScsiTaskAttribute.Aca);

        if ((task.IsRead || task.IsWrite) && expected > _server.MaxTransferBytes)
        {
            // Larger than Block Limits promises: refuse with sense instead of renting unbounded memory.
            Complete(task, ScsiResult.CheckCondition(command, SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb));
            return;
        }

        if ((task.IsRead || task.IsWrite) && expected > 0 && !_tasks.TryReserveBuffer(task, expected))
        {
            // SAM-5 5.3.1: TASK SET FULL "shall be returned if the logical unit receives a command
            // and does not have enough resources to process it". Initiators (Linux, libiscsi's
            // qemu driver) retry it; its immediate data, if any, is discarded with the command.
            Complete(task, ScsiResult.TaskSetFull);
            return;
        }

        if (task.IsRead)
        {
            task.RentBuffer(expected);
            command.DataIn = task.Buffer.AsMemory(0, (int)expected);
            Execute(task);
            return;
        }

        if (!task.IsWrite || expected == 0)
        {
            Execute(task);
            return;
        }

        task.RentBuffer(expected);
        immediateData.CopyTo(task.Buffer);
        task.ReceivedBytes = (uint)immediateData.Length;

        // RFC 7143 11.3.1 F bit: when set no unsolicited Data-Out follows; otherwise the initiator
        // may send unsolicited data up to FirstBurstLength when InitialR2T=No (13.10).
        var unsolicitedEnd = bhs.Final || session.Parameters.InitialR2T
            ? (uint)immediateData.Length
            : Math.Min(expected, (uint)session.Parameters.FirstBurstLength);
        task.UnsolicitedEnd = unsolicitedEnd;
        task.UnsolicitedOpen = unsolicitedEnd > (uint)immediateData.Length;
        task.NextR2TOffset = unsolicitedEnd;
        if (task.ReceivedBytes >= expected)
        {
            StartExecution(task);
            return;
        }

        IssueReadyToTransfers(task);
    }

    /// <summary>Copies the CDB out of the header (and an extended-CDB AHS) into the task.</summary>
    private static int CopyCdb(Bhs bhs, in ReadOnlySequence<byte> ahs, TargetTask task)
    {
        bhs.Cdb.CopyTo(task.CdbSpan);
        if (ahs.IsEmpty)
        {
            return 16;
        }

        Span<byte> head = stackalloc byte[4];
        ahs.Slice(0, 4).CopyTo(head);
        var ahsLength = (head[0] << 8) | head[1];
        if (head[2] != ExtendedCdbAhsType || ahsLength < 2 || ahsLength - 1 > TargetTask.MaxCdbLength - 16 || ahs.Length < 3 + ahsLength)
        {
            // Other AHS types (bidirectional read length) are for commands we reject anyway.
            return 16;
        }

        // AHSLength counts the reserved byte plus the extra CDB bytes (11.2.2.3).
        var extra = ahsLength - 1;
        ahs.Slice(4, extra).CopyTo(task.CdbSpan[16..]);
        return 16 + extra;
    }

    /// <param name="digestError">The PDU's data failed its digest (already rejected): its bytes are lost, its header still counts.</param>
    private void HandleDataOut(Bhs bhs, in ReadOnlySequence<byte> data, bool digestError = false)
    {
        var task = _tasks.Find(bhs.InitiatorTaskTag);
        if (task is null || task.State != TargetTaskState.Receiving)
        {
            // Data for a task that no longer wants it (aborted, or already answered, e.g. with a
            // CHECK CONDITION before all data arrived) is discarded.
            return;
        }

        if (task.Aborted)
        {
            _tasks.Remove(task);
            FinishTask(task);
            return;
        }

        var offset = bhs.BufferOffset;
        var length = (uint)data.Length;
        var solicited = bhs.TargetTransferTag != Bhs.ReservedTag;
        var end = offset + length;
        if (end < offset || end > task.ExpectedLength || (!solicited && end > task.UnsolicitedEnd))
        {
            // RFC 7143 11.7.5 / 13.14: data beyond the expected length or the unsolicited burst.
            IscsiProtocolException.Throw(RejectReason.ProtocolError, "Data-Out outside the expected or unsolicited range");
        }

        var lost = digestError;
        if (solicited)
        {
            var check = task.AcceptSolicited(bhs.TargetTransferTag, bhs.DataSN, offset, length, bhs.Final);
            if (check == DataOutCheck.Invalid)
            {
                // Not a lost PDU but one that belongs nowhere: misplaced data never reaches the LU.
                IscsiProtocolException.Throw(RejectReason.ProtocolError, "Data-Out with an unknown TTT or data outside its R2T");
            }

            lost |= check == DataOutCheck.SequenceGap;
            if (bhs.Final)
            {
                task.OutstandingR2Ts--;
            }
        }
        else
        {
            if (!task.UnsolicitedOpen)
            {
                // RFC 7143 11.7.1: the unsolicited burst ends with the F bit (or never started).
                IscsiProtocolException.Throw(RejectReason.ProtocolError, "unsolicited Data-Out after the unsolicited burst ended");
            }

            lost |= bhs.DataSN != task.UnsolicitedNextDataSN;
            task.UnsolicitedNextDataSN = bhs.DataSN + 1;
            if (bhs.Final)
            {
                task.UnsolicitedOpen = false;
            }
        }

        if (lost && !task.DataLost)
        {
            if (!digestError)
            {
                TargetLog.DataSequenceGap(_server.Loggers.Connections, Number, Remote, task.InitiatorTaskTag);
            }

            // RFC 7143 7.8.2: "When a target receives a data PDU with an out-of-order DataSN, it
            // means that the target must have hit a header or payload digest error on at least one
            // of the earlier data PDUs", handled as 7.8.1 says: from here on the task's data is
            // discarded and no further R2T is sent.
            task.DataLost = true;
        }

        if (task.DataLost)
        {
            if (task.AllDataSequencesEnded)
            {
                // RFC 7143 7.8.1 b) (ErrorRecoveryLevel 0 has no recovery R2T): once all data has
                // arrived, CHECK CONDITION with the iSCSI condition "protocol service CRC error"
                // (11.4.7.2). The session lives on; nothing of the lost write reaches the LU.
                Complete(task, ScsiResult.CheckCondition(task.Command, SenseKey.AbortedCommand, AdditionalSense.ProtocolServiceCrcError));
            }

            return;
        }

        data.CopyTo(task.Buffer.AsSpan((int)offset));
        task.ReceivedBytes += length;
        if (task.ReceivedBytes >= task.ExpectedLength)
        {
            StartExecution(task);
            return;
        }

        IssueReadyToTransfers(task);
    }

    /// <summary>Keeps up to MaxOutstandingR2T R2Ts of at most MaxBurstLength each in flight (13.17, 13.13).</summary>
    private void IssueReadyToTransfers(TargetTask task)
    {
        var parameters = _session!.Parameters;
        var maxBurst = (uint)parameters.MaxBurstLength;
        while (task.OutstandingR2Ts < Math.Min(parameters.MaxOutstandingR2T, TargetTask.MaxOutstandingR2TSlots) && task.NextR2TOffset < task.ExpectedLength)
        {
            var length = Math.Min(maxBurst, task.ExpectedLength - task.NextR2TOffset);
            var r2tsn = task.NextR2TSN++;
            var tag = NextTargetTransferTag();
            task.TrackSequence(tag, task.NextR2TOffset, length);
            _writer.Post(OutboundItem.ForR2T(task, tag, r2tsn, task.NextR2TOffset, length));
            _session.Counters.R2T();
            task.NextR2TOffset += length;
            task.OutstandingR2Ts++;
        }
    }

    private void StartExecution(TargetTask task)
    {
        task.Command.DataOut = task.Buffer.AsMemory(0, (int)Math.Min(task.ReceivedBytes, task.ExpectedLength));
        Execute(task);
    }

    /// <summary>
    /// Runs the command in the SCSI layer. A command that completes synchronously is answered here;
    /// one that waits (a file LUN's I/O) resumes through the task's own cached continuation, so
    /// neither way allocates: no async state machine, no Task per command.
    /// </summary>
    private void Execute(TargetTask task)
    {
        task.State = TargetTaskState.Executing;
        _session!.Target!.CountersFor(task.Command.Lun)?.Started();
        ValueTask<ScsiResult> pending;
        try
        {
            pending = _session!.Target!.Device.ExecuteAsync(task.Command, task.CancellationToken);
        }
        catch (Exception ex)
        {
            Finish(task, ExecutionFailed(task, ex));
            return;
        }

        if (pending.IsCompleted)
        {
            ExecutionEnded(task, pending);
            return;
        }

        task.PendingExecution = pending;
        pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(task.ExecutionEnded!);
    }

    private void ExecutionEnded(TargetTask task, ValueTask<ScsiResult> completed)
    {
        ScsiResult result;
        try
        {
            result = completed.GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            result = ExecutionFailed(task, ex);
        }

        Finish(task, result);
    }

    /// <summary>Counts the ended command against its LUN (latency from arrival), then answers it.</summary>
    private void Finish(TargetTask task, ScsiResult result)
    {
        var command = task.Command;
        _session!.Target!.CountersFor(command.Lun)?.Finished(command.Cdb.IsEmpty ? (byte)0 : command.Cdb.Span[0], result, command.SenseBuffer.AsSpan(0, result.SenseLength), task.ArrivedTimestamp, task.Aborted);
        Complete(task, result);
    }

    private ScsiResult ExecutionFailed(TargetTask task, Exception exception)
    {
        if (exception is OperationCanceledException)
        {
            task.Aborted = true;
            return default;
        }

        // The SCSI layer turns command errors into sense; anything here is a bug. Fail the
        // command, keep the connection.
        TargetLog.ConnectionFault(_server.Loggers.Connections, Number, Remote, exception);
        return ScsiResult.CheckCondition(task.Command, SenseKey.HardwareError, AdditionalSense.InternalTargetFailure);
    }

    private void Complete(TargetTask task, ScsiResult result)
    {
        task.Result = result;
        TaskCompletionSource? waiter;
        lock (task.StateLock)
        {
            task.State = TargetTaskState.Completed;
            waiter = task.AbortWaiter;

            // An ABORT TASK answered FUNCTION COMPLETE for this task: no status may follow it.
            if (waiter is not null)
            {
                task.Aborted = true;
            }
        }

        waiter?.TrySetResult();
        if (!_writer.Post(OutboundItem.ForCompletion(task)))
        {
            // The connection is closing: nobody will write this completion.
            _tasks.Remove(task);
            FinishTask(task);
        }
    }

    /// <summary>The task left the connection without a status: reopen its window slot and recycle it.</summary>
    private void FinishTask(TargetTask task)
    {
        _session?.Window.TaskFinished();
        _tasks.Return(task);
    }
}
