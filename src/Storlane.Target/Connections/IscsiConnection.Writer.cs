using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Scsi;

namespace Storlane.Target.Connections;

/// <summary>The send side: the only code that touches the PipeWriter, so StatSN needs no lock.</summary>
internal sealed partial class IscsiConnection
{
    /// <summary>Bytes written into the pipe before it is flushed to the socket.</summary>
    private const long WriterBurstBytes = 1 << 20;

    private async Task WriterLoopAsync()
    {
        var reader = _outbound.Reader;
        var closeRequested = false;
        while (!closeRequested && await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // A burst ends at WriterBurstBytes: what the pipe has copied but the socket has not
            // taken is memory no budget counts, so it must stay small when the initiator stalls.
            var burstBytes = 0L;
            while (!closeRequested && burstBytes < WriterBurstBytes && reader.TryRead(out var item))
            {
                burstBytes += item.Bytes;
                switch (item.Kind)
                {
                    case OutboundKind.Control:
                        closeRequested = WriteControl(item.Control!);
                        break;
                    case OutboundKind.ReadyToTransfer:
                        WriteReadyToTransfer(item);
                        break;
                    case OutboundKind.Completion:
                        WriteCompletion(item.Task!);
                        break;
                }
            }

            // One flush per burst of queued PDUs: completions that finish together share a syscall.
            // Only once the socket took them do they stop counting against the queue limit.
            var flush = await _output.FlushAsync().ConfigureAwait(false);
            Sent(burstBytes);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                break;
            }
        }

        if (closeRequested)
        {
            _closing.Cancel();
            _input.CancelPendingRead();
        }

        // Whatever is left belongs to a dead connection: give the tasks back.
        while (reader.TryRead(out var item))
        {
            Sent(item.Bytes);
            if (item.Kind == OutboundKind.Completion)
            {
                FinishTask(item.Task!);
            }
        }
    }

    /// <summary>Writes a control PDU; returns true when the connection must close after it.</summary>
    private bool WriteControl(ControlPdu pdu)
    {
        var bhs = pdu.Bhs;
        if (pdu.StampSequenceNumbers)
        {
            StampSequenceNumbers(bhs, pdu.AdvancesStatSN);
        }

        TraceSent(bhs, pdu.Data.Length);
        var span = PduWriter.Begin(_output, pdu.Data.Length, _headerDigestOut, _dataDigestOut);
        pdu.Header.CopyTo(span);
        PduWriter.Finish(_output, span, pdu.Data, _headerDigestOut, _dataDigestOut);
        if (pdu.EnableDigestsAfter && _session is { } session)
        {
            _headerDigestOut = session.Parameters.HeaderDigest;
            _dataDigestOut = session.Parameters.DataDigest;
        }

        return pdu.CloseAfter;
    }

    /// <summary>Sets StatSN (consuming one when the PDU carries status), ExpCmdSN and MaxCmdSN.</summary>
    private void StampSequenceNumbers(Bhs bhs, bool advanceStatSN)
    {
        bhs.StatSN = _statSN;
        if (advanceStatSN)
        {
            _statSN++;
        }

        if (_window is { } window)
        {
            var (exp, max) = window.Snapshot();
            bhs.ExpCmdSN = exp;
            bhs.MaxCmdSN = max;
        }
    }

    /// <summary>
    /// R2T (RFC 7143 11.8): "StatSN ... will contain the next StatSN. The StatSN for this
    /// connection is not advanced after this PDU is sent."
    /// </summary>
    private void WriteReadyToTransfer(in OutboundItem item)
    {
        var task = item.Task!;
        if (task.Aborted || task.Generation != item.TaskGeneration)
        {
            // Aborted, or aborted and already serving another command: this R2T is stale.
            return;
        }

        var span = PduWriter.Begin(_output, 0, _headerDigestOut, _dataDigestOut);
        var bhs = new Bhs(span);
        bhs.Initialize(Opcode.ReadyToTransfer);
        bhs.Final = true;
        bhs.LunField = task.LunField;
        bhs.InitiatorTaskTag = task.InitiatorTaskTag;
        bhs.TargetTransferTag = item.TargetTransferTag;
        StampSequenceNumbers(bhs, advanceStatSN: false);
        bhs.R2TSN = item.R2TSN;
        bhs.BufferOffset = item.Offset;
        bhs.DesiredDataTransferLength = item.Length;
        TraceSent(bhs, 0);
        PduWriter.Finish(_output, span, ReadOnlySpan<byte>.Empty, _headerDigestOut, _dataDigestOut);
    }

    /// <summary>
    /// Data-In PDUs for the returned data, then the status: in the last Data-In (S bit, "phase
    /// collapse", RFC 7143 11.7.1) when the command ended without exception, else in a SCSI
    /// Response carrying the sense data (11.4.7).
    /// </summary>
    private void WriteCompletion(TargetTask task)
    {
        var session = _session!;
        RemoveTask(task);

        // Reopen the task's window slot first, so the MaxCmdSN in this response is current:
        // an initiator may then use exactly up to it, and nothing beyond it is ever accepted.
        session.Window.TaskFinished();
        if (task.Aborted)
        {
            ReturnTask(task);
            return;
        }

        var result = task.Result;
        var expected = task.ExpectedLength;
        var sent = 0u;
        var flags = ScsiResponseFlags.None;
        uint residual = 0;

        // RFC 7143 11.4.5: residuals compare the expected data transfer length with what the
        // command moved: data-in for reads, the CDB's data-out length for writes.
        var moved = (uint)(task.IsRead ? result.DataInLength : task.IsWrite ? result.DataOutLength : Math.Max(result.DataInLength, result.DataOutLength));
        if (moved > expected)
        {
            flags |= ScsiResponseFlags.ResidualOverflow;
            residual = moved - expected;
        }
        else if (moved < expected)
        {
            flags |= ScsiResponseFlags.ResidualUnderflow;
            residual = expected - moved;
        }

        var dataSN = 0u;
        var collapse = result.Status is ScsiStatus.Good or ScsiStatus.ConditionMet && result.SenseLength == 0;
        if (task.IsRead)
        {
            var length = Math.Min((uint)result.DataInLength, expected);
            var maxSegment = (uint)session.Parameters.InitiatorMaxRecvDataSegmentLength;
            var maxBurst = (uint)session.Parameters.MaxBurstLength;
            var data = task.Buffer.AsSpan(0, (int)length);
            var burstUsed = 0u;
            while (sent < length)
            {
                // A Data-In sequence (F bit at its end) never exceeds MaxBurstLength (13.13).
                var chunk = Math.Min(Math.Min(maxSegment, length - sent), maxBurst - burstUsed);
                var last = sent + chunk == length;
                burstUsed += chunk;
                var endOfBurst = last || burstUsed == maxBurst;
                var span = PduWriter.Begin(_output, (int)chunk, _headerDigestOut, _dataDigestOut);
                var bhs = new Bhs(span);
                bhs.Initialize(Opcode.DataIn);
                bhs.LunField = task.LunField;
                bhs.InitiatorTaskTag = task.InitiatorTaskTag;
                bhs.TargetTransferTag = Bhs.ReservedTag;
                bhs.DataSN = dataSN++;
                bhs.BufferOffset = sent;
                var pduFlags = endOfBurst ? ScsiResponseFlags.Final : ScsiResponseFlags.None;
                if (last && collapse)
                {
                    pduFlags |= ScsiResponseFlags.Status | flags;
                    bhs.Byte3 = (byte)result.Status;
                    bhs.ResidualCount = residual;
                    StampSequenceNumbers(bhs, advanceStatSN: true);
                }
                else if (_window is { } window)
                {
                    // StatSN is reserved without the S bit; ExpCmdSN/MaxCmdSN still inform.
                    var (exp, max) = window.Snapshot();
                    bhs.ExpCmdSN = exp;
                    bhs.MaxCmdSN = max;
                }

                bhs.Flags = (byte)pduFlags;
                TraceSent(bhs, (int)chunk);
                PduWriter.Finish(_output, span, data.Slice((int)sent, (int)chunk), _headerDigestOut, _dataDigestOut);
                sent += chunk;
                if (endOfBurst)
                {
                    burstUsed = 0;
                }
            }

            if (length > 0 && collapse)
            {
                ReturnTask(task);
                return;
            }
        }

        WriteScsiResponse(task, result, flags, residual, dataSN + task.NextR2TSN);
        ReturnTask(task);
    }

    /// <summary>SCSI Response (RFC 7143 11.4): status, residuals and, for CHECK CONDITION, SenseLength + sense.</summary>
    private void WriteScsiResponse(TargetTask task, ScsiResult result, ScsiResponseFlags flags, uint residual, uint expDataSN)
    {
        var senseLength = result.SenseLength;
        var dataLength = senseLength > 0 ? senseLength + 2 : 0;
        var span = PduWriter.Begin(_output, dataLength, _headerDigestOut, _dataDigestOut);
        var bhs = new Bhs(span);
        bhs.Initialize(Opcode.ScsiResponse);
        bhs.Flags = (byte)(ScsiResponseFlags.Final | flags);
        bhs.Byte2 = 0; // Response: command completed at target
        bhs.Byte3 = (byte)result.Status;
        bhs.InitiatorTaskTag = task.InitiatorTaskTag;
        StampSequenceNumbers(bhs, advanceStatSN: true);
        bhs.ExpDataSN = expDataSN;
        bhs.ResidualCount = residual;
        TraceSent(bhs, dataLength);
        if (dataLength == 0)
        {
            PduWriter.Finish(_output, span, ReadOnlySpan<byte>.Empty, _headerDigestOut, _dataDigestOut);
            return;
        }

        // Build SenseLength (2 bytes, big endian) + sense in place, after the header and digest.
        var dataStart = Bhs.Length + (_headerDigestOut ? 4 : 0);
        var data = span.Slice(dataStart, dataLength);
        data[0] = (byte)(senseLength >> 8);
        data[1] = (byte)senseLength;
        task.Command.SenseBuffer.AsSpan(0, senseLength).CopyTo(data[2..]);
        PduWriter.Finish(_output, span, data, _headerDigestOut, _dataDigestOut);
    }
}
