using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Storlane.Initiator.Scsi;
using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Session;

/// <summary>
/// The receive loop: frames PDUs without copying (<see cref="PduReader"/>), copies Data-In straight
/// into the caller's buffer, and dispatches with one switch on the opcode.
/// </summary>
public sealed partial class IscsiSession
{
    private const int MaxSenseLength = 252;

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled || Volatile.Read(ref _dead))
                {
                    return;
                }

                var buffer = result.Buffer;
                var consumed = buffer.Start;
                try
                {
                    while (PduReader.TryReadPdu(buffer.Slice(consumed), _readOptions, _receiveHeader, out var frame))
                    {
                        consumed = frame.End;
                        Volatile.Write(ref _lastReceiveTicks, Stopwatch.GetTimestamp());
                        if (!frame.DataDigestValid)
                        {
                            // ERL 0 has no Data-In recovery (SNACK); RFC 7143 7.1.4: recovery is session recovery.
                            IscsiProtocolException.ThrowFramingLost("data digest mismatch");
                        }

                        Dispatch(frame);
                    }
                }
                finally
                {
                    _input.AdvanceTo(consumed, buffer.End);
                }

                if (result.IsCompleted)
                {
                    Fail(new IscsiTransportException(_loggingOut ? "logged out" : $"{Portal} closed the connection"));
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or IscsiProtocolException or ObjectDisposedException or InvalidOperationException)
        {
            Fail(ex);
        }
    }

    private void Dispatch(in PduFrame frame)
    {
        var bhs = new Bhs(_receiveHeader);
        var opcode = bhs.Opcode;
        UpdateWindow(bhs.ExpCmdSN, bhs.MaxCmdSN);

        switch (opcode)
        {
            case Opcode.DataIn:
                OnDataIn(bhs, frame.Data);
                break;
            case Opcode.ScsiResponse:
                AdvanceStatSN(bhs.StatSN);
                OnScsiResponse(bhs, frame.Data);
                break;
            case Opcode.ReadyToTransfer:
                OnReadyToTransfer(bhs);
                break;
            case Opcode.NopIn:
                OnNopIn(bhs);
                break;
            case Opcode.TaskManagementResponse:
                AdvanceStatSN(bhs.StatSN);
                OnTaskManagementResponse(bhs);
                break;
            case Opcode.LogoutResponse:
                AdvanceStatSN(bhs.StatSN);
                OnLogoutResponse(bhs);
                break;
            case Opcode.TextResponse:
                AdvanceStatSN(bhs.StatSN);
                OnTextResponse(bhs, frame.Data);
                break;
            case Opcode.Reject:
                AdvanceStatSN(bhs.StatSN);
                OnReject(bhs, frame.Data);
                break;
            case Opcode.AsyncMessage:
                AdvanceStatSN(bhs.StatSN);
                OnAsyncMessage(bhs);
                break;
            default:
                IscsiProtocolException.Throw(RejectReason.ProtocolError, "unexpected opcode from the target: " + opcode);
                break;
        }
    }

    /// <summary>ExpStatSN acknowledges every status up to StatSN (RFC 7143 4.2.2.2).</summary>
    private void AdvanceStatSN(uint statSN) => Volatile.Write(ref _expStatSN, SerialNumber.Max(Volatile.Read(ref _expStatSN), statSN + 1));

    private void OnDataIn(Bhs bhs, in ReadOnlySequence<byte> data)
    {
        var task = _tasks.Find(bhs.InitiatorTaskTag);
        var hasStatus = (bhs.Flags & (byte)ScsiResponseFlags.Status) != 0;
        if (hasStatus)
        {
            AdvanceStatSN(bhs.StatSN);
        }

        if (task is null || task.Kind != TaskKind.Scsi || IsFinished(task))
        {
            // A task we already gave up on (aborted, rejected): its late data is dropped.
            return;
        }

        if (bhs.DataSN != task.ExpectedDataSN)
        {
            // ERL 0 cannot ask for missing Data-In (no SNACK): a gap ends the session (7.1.4).
            IscsiProtocolException.Throw(RejectReason.ProtocolError, "Data-In DataSN out of order");
        }

        task.ExpectedDataSN++;
        var offset = (long)bhs.BufferOffset;
        var length = (int)data.Length;
        if (offset + length > task.ReadBuffer.Length)
        {
            IscsiProtocolException.Throw(RejectReason.ProtocolError, "Data-In beyond the expected data transfer length");
        }

        lock (task)
        {
            if (!task.Abandoned && !task.ProtocolDone)
            {
                data.CopyTo(task.ReadBuffer.Span.Slice((int)offset, length));
            }
        }

        task.BytesIn += length;
        if (hasStatus)
        {
            var flags = (ScsiResponseFlags)bhs.Flags;
            Complete(task, (ScsiStatus)bhs.Byte3, 0, null, (int)bhs.ResidualCount, flags);
        }
    }

    /// <summary>
    /// SCSI Response (11.4): byte 2 the iSCSI response, byte 3 the SCSI status; the data segment is
    /// SenseLength (2 bytes) followed by the sense data when the status is CHECK CONDITION.
    /// </summary>
    private void OnScsiResponse(Bhs bhs, in ReadOnlySequence<byte> data)
    {
        var task = _tasks.Find(bhs.InitiatorTaskTag);
        if (task is null || task.Kind != TaskKind.Scsi)
        {
            return;
        }

        SenseInfo? sense = null;
        if (data.Length >= 2)
        {
            Span<byte> senseBytes = stackalloc byte[2 + MaxSenseLength];
            var copied = (int)Math.Min(data.Length, senseBytes.Length);
            data.Slice(0, copied).CopyTo(senseBytes);
            var senseLength = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(senseBytes), copied - 2);
            if (SenseInfo.TryParse(senseBytes.Slice(2, senseLength), out var parsed))
            {
                sense = parsed;
            }
        }

        Complete(task, (ScsiStatus)bhs.Byte3, bhs.Byte2, sense, (int)bhs.ResidualCount, (ScsiResponseFlags)bhs.Flags);
    }

    /// <summary>
    /// True once the task's protocol side ended (answer, abort, reject). Only the receive loop and a
    /// failing session end it, so a false answer here holds for the rest of this PDU's handling and
    /// the task's buffers are still the caller's.
    /// </summary>
    private static bool IsFinished(InitiatorTask task)
    {
        lock (task)
        {
            return task.ProtocolDone;
        }
    }

    private void Complete(InitiatorTask task, ScsiStatus status, byte serviceResponse, SenseInfo? sense, int residual, ScsiResponseFlags flags)
    {
        if (!task.TryFinishProtocol())
        {
            return;
        }

        var latencyTicks = Stopwatch.GetTimestamp() - task.StartTicks;
        var underflow = (flags & ScsiResponseFlags.ResidualUnderflow) != 0;
        var overflow = (flags & ScsiResponseFlags.ResidualOverflow) != 0;
        var result = new ScsiCommandResult(status, serviceResponse, sense, underflow || overflow ? residual : 0, underflow, overflow, Stopwatch.GetElapsedTime(0, latencyTicks));
        RetireScsi(task, success: result.IsGood);
        if (result.IsGood)
        {
            Statistics.Succeeded(latencyTicks, task.BytesIn, task.WriteBuffer.Length);
        }

        task.CompleteCaller(result);
        task.ReleaseProtocol();
    }

    /// <summary>
    /// R2T (11.8): send DesiredDataTransferLength bytes from BufferOffset. The target "MUST NOT" have
    /// more than MaxOutstandingR2T R2Ts outstanding per task (13.17); the request must lie inside
    /// the expected data transfer length.
    /// </summary>
    private void OnReadyToTransfer(Bhs bhs)
    {
        var task = _tasks.Find(bhs.InitiatorTaskTag);
        if (task is null || task.Kind != TaskKind.Scsi || IsFinished(task))
        {
            // A target may still ask for data of a task it has just aborted; there is nothing to send.
            return;
        }

        var offset = bhs.BufferOffset;
        var length = bhs.DesiredDataTransferLength;
        if (length == 0 || (ulong)offset + length > (ulong)task.WriteBuffer.Length)
        {
            IscsiProtocolException.Throw(RejectReason.ProtocolError, $"R2T for {length} bytes at {offset} outside the {task.WriteBuffer.Length}-byte write buffer");
        }

        if (length > (uint)Parameters.MaxBurstLength)
        {
            IscsiProtocolException.Throw(RejectReason.ProtocolError, "R2T longer than MaxBurstLength");
        }

        if (Interlocked.Increment(ref task.OutstandingR2T) > Parameters.MaxOutstandingR2T)
        {
            IscsiProtocolException.Throw(RejectReason.ProtocolError, "more R2Ts outstanding than MaxOutstandingR2T");
        }

        _outbound.Writer.TryWrite(OutboundItem.DataOut(task, bhs.TargetTransferTag, offset, (int)length));
    }

    /// <summary>
    /// NOP-In (11.19): an answer to our ping carries our ITT; a ping from the target carries a TTT
    /// and "the initiator MUST respond with a NOP-Out" echoing that TTT (11.18.3).
    /// </summary>
    private void OnNopIn(Bhs bhs)
    {
        if (bhs.InitiatorTaskTag != Bhs.ReservedTag)
        {
            AdvanceStatSN(bhs.StatSN);
            var task = _tasks.Find(bhs.InitiatorTaskTag);
            if (task is { Kind: TaskKind.Ping } && task.TryFinishProtocol())
            {
                task.CompleteCaller(new ScsiCommandResult(ScsiStatus.Good, 0, null, 0, false, false, Stopwatch.GetElapsedTime(task.StartTicks)));
                task.ReleaseProtocol();
            }

            return;
        }

        if (bhs.TargetTransferTag != Bhs.ReservedTag)
        {
            uint cmdSN;
            lock (_sendLock)
            {
                cmdSN = _window.Next;
            }

            _outbound.Writer.TryWrite(OutboundItem.NopAnswer(bhs.TargetTransferTag, bhs.LunField, cmdSN));
        }
    }

    private void OnReject(Bhs bhs, in ReadOnlySequence<byte> data)
    {
        var reason = (RejectReason)bhs.Byte2;
        if (data.Length < Bhs.Length)
        {
            IscsiProtocolException.Throw(RejectReason.ProtocolError, "a Reject without the rejected header");
        }

        // "the complete header of the bad PDU" is the data segment (11.17); its ITT names the task.
        Span<byte> rejected = stackalloc byte[Bhs.Length];
        data.Slice(0, Bhs.Length).CopyTo(rejected);
        var itt = BinaryPrimitives.ReadUInt32BigEndian(rejected[16..]);
        InitiatorLog.Rejected(_logger, Portal, itt, reason);
        var task = itt == Bhs.ReservedTag ? null : _tasks.Find(itt);
        if (task is not null && task.TryFinishProtocol())
        {
            RetireScsi(task, success: false);
            task.FailCaller(new IscsiRejectException(reason));
            task.ReleaseProtocol();
        }
    }

    /// <summary>Async Message (11.9): events 1-3 announce the end of the session; the rest are informational.</summary>
    private void OnAsyncMessage(Bhs bhs)
    {
        var asyncEvent = bhs.AsyncEvent;
        InitiatorLog.AsyncMessage(_logger, Portal, asyncEvent);
        if (asyncEvent == 1 && !_loggingOut)
        {
            // "the target requests a logout" (11.9.1): comply; the session then ends like any other.
            _ = Task.Run(async () =>
            {
                try
                {
                    await LogoutAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IscsiTransportException or IscsiRejectException or InvalidOperationException)
                {
                    // The session ends in any case.
                }
            });
        }
    }

    private void UpdateWindow(uint expCmdSN, uint maxCmdSN)
    {
        lock (_sendLock)
        {
            if (!_window.Update(expCmdSN, maxCmdSN) || _dead)
            {
                return;
            }

            SendWaiting();
        }
    }
}
