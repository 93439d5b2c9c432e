using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Scsi;

namespace Storlane.Target.Connections;

/// <summary>The PDUs that answer a SCSI command: R2T, Data-In and SCSI Response, laid out straight into the pipe.</summary>
internal sealed partial class ConnectionWriter
{
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

        var span = PduWriter.Begin(_output, 0, _headerDigest, _dataDigest);
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
        _trace.Sent(bhs, 0);
        PduWriter.Finish(_output, span, ReadOnlySpan<byte>.Empty, _headerDigest, _dataDigest);
    }

    /// <summary>
    /// Data-In PDUs for the returned data, then the status: in the last Data-In (S bit, "phase
    /// collapse", RFC 7143 11.7.1) when the command ended without exception, else in a SCSI
    /// Response carrying the sense data (11.4.7).
    /// </summary>
    private void WriteCompletion(TargetTask task)
    {
        _tasks.Remove(task);

        // Reopen the task's window slot first, so the MaxCmdSN in this response is current:
        // an initiator may then use exactly up to it, and nothing beyond it is ever accepted.
        _window!.TaskFinished();
        if (task.Aborted)
        {
            _tasks.Return(task);
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
            var maxSegment = _maxDataSegment;
            var maxBurst = _maxBurst;
            var data = task.Buffer.AsSpan(0, (int)length);
            var burstUsed = 0u;
            while (sent < length)
            {
                // A Data-In sequence (F bit at its end) never exceeds MaxBurstLength (13.13).
                var chunk = Math.Min(Math.Min(maxSegment, length - sent), maxBurst - burstUsed);
                var last = sent + chunk == length;
                burstUsed += chunk;
                var endOfBurst = last || burstUsed == maxBurst;
                var span = PduWriter.Begin(_output, (int)chunk, _headerDigest, _dataDigest);
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
                else
                {
                    // StatSN is reserved without the S bit; ExpCmdSN/MaxCmdSN still inform.
                    StampWindow(bhs);
                }

                bhs.Flags = (byte)pduFlags;
                _trace.Sent(bhs, (int)chunk);
                PduWriter.Finish(_output, span, data.Slice((int)sent, (int)chunk), _headerDigest, _dataDigest);
                sent += chunk;
                if (endOfBurst)
                {
                    burstUsed = 0;
                }
            }

            if (length > 0 && collapse)
            {
                _tasks.Return(task);
                return;
            }
        }

        WriteScsiResponse(task, result, flags, residual, dataSN + task.NextR2TSN);
        _tasks.Return(task);
    }

    /// <summary>SCSI Response (RFC 7143 11.4): status, residuals and, for CHECK CONDITION, SenseLength + sense.</summary>
    private void WriteScsiResponse(TargetTask task, ScsiResult result, ScsiResponseFlags flags, uint residual, uint expDataSN)
    {
        var senseLength = result.SenseLength;
        var dataLength = senseLength > 0 ? senseLength + 2 : 0;
        var span = PduWriter.Begin(_output, dataLength, _headerDigest, _dataDigest);
        var bhs = new Bhs(span);
        bhs.Initialize(Opcode.ScsiResponse);
        bhs.Flags = (byte)(ScsiResponseFlags.Final | flags);
        bhs.Byte2 = 0; // Response: command completed at target
        bhs.Byte3 = (byte)result.Status;
        bhs.InitiatorTaskTag = task.InitiatorTaskTag;
        StampSequenceNumbers(bhs, advanceStatSN: true);
        bhs.ExpDataSN = expDataSN;
        bhs.ResidualCount = residual;
        _trace.Sent(bhs, dataLength);
        if (dataLength == 0)
        {
            PduWriter.Finish(_output, span, ReadOnlySpan<byte>.Empty, _headerDigest, _dataDigest);
            return;
        }

        // Build SenseLength (2 bytes, big endian) + sense in place, after the header and digest.
        var dataStart = Bhs.Length + (_headerDigest ? 4 : 0);
        var data = span.Slice(dataStart, dataLength);
        data[0] = (byte)(senseLength >> 8);
        data[1] = (byte)senseLength;
        task.Command.SenseBuffer.AsSpan(0, senseLength).CopyTo(data[2..]);
        PduWriter.Finish(_output, span, data, _headerDigest, _dataDigest);
    }
}
