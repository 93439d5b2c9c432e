using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Storlane.Nvme;
using Storlane.Nvme.Tcp;
using Storlane.Protocol;

namespace Storlane.Initiator.Nvme;

/// <summary>The reader (responses, C2HData, R2T) and the one writer (capsules, H2CData) of a queue pair.</summary>
internal sealed partial class NvmeTcpQueuePair
{
    private async Task ReadLoopAsync()
    {
        var token = _closing.Token;
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (PduReader.TryRead(buffer, _limits, out var pdu, out var consumed))
                    {
                        Volatile.Write(ref _lastReceiveTimestamp, Stopwatch.GetTimestamp());
                        Handle(pdu);
                        buffer = buffer.Slice(consumed);
                    }

                    if (result.IsCompleted || result.IsCanceled)
                    {
                        Fail(new NvmeTransportException($"{Name} queue {QueueId}: the controller closed the connection"));
                        return;
                    }
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (NvmeTcpProtocolException ex)
        {
            Fail(new NvmeTransportException($"{Name} queue {QueueId}: fatal transport error from the controller ({ex.Status}): {ex.Message}", ex));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Fail(new NvmeTransportException($"{Name} queue {QueueId}: connection lost: {ex.Message}", ex));
        }
    }

    /// <summary>One PDU from the controller: one switch on its type.</summary>
    private void Handle(in ReceivedPdu pdu)
    {
        switch (pdu.Type)
        {
            case PduType.CapsuleResp:
                OnCapsuleResp(pdu);
                break;
            case PduType.C2HData:
                OnC2HData(pdu);
                break;
            case PduType.R2T:
                OnR2T(pdu);
                break;
            case PduType.C2HTermReq:
                Fail(new NvmeTransportException($"{Name} queue {QueueId}: the controller ended the connection (C2HTermReq {(FatalErrorStatus)pdu.ReadUInt16(8)}, FEI {pdu.ReadUInt32(10)})"));
                break;
            default:
                NvmeTcpProtocolException.Throw(FatalErrorStatus.PduSequenceError, PduLayout.TypeOffset, $"unexpected {pdu.Type}");
                break;
        }
    }

    private NvmeCommandSlot Outstanding(ushort commandId, PduType type)
    {
        if (commandId >= _slots.Length || !_slots[commandId].IsActive)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, 8, $"{type} for CID {commandId}, which is not outstanding");
        }

        return _slots[commandId];
    }

    /// <summary>CapsuleResp (3.6.2.6): the CQE completes its command, after all its C2HData.</summary>
    private void OnCapsuleResp(in ReceivedPdu pdu)
    {
        var completion = CompletionEntry.Read(pdu.Header[PduLayout.CommonHeaderLength..]);
        var slot = Outstanding(completion.CommandId, PduType.CapsuleResp);
        if (completion.Status.IsSuccess && slot.DataDigestFailed)
        {
            // 7.4.6.1: a data digest error fails the command (it may be retried), not the connection.
            completion = completion with { Status = NvmeStatus.TransientTransportError };
        }

        slot.TryComplete(completion);
    }

    /// <summary>
    /// C2HData (3.6.2.8): CCCID at 8, DATAO at 12, DATAL at 16; the data continues where the last PDU
    /// ended and stays inside the command's buffer. With SUCCESS (only with LAST_PDU) no
    /// CapsuleResp follows: the command completed successfully.
    /// </summary>
    private void OnC2HData(in ReceivedPdu pdu)
    {
        var slot = Outstanding(pdu.ReadUInt16(8), PduType.C2HData);
        var offset = pdu.ReadUInt32(12);
        var length = pdu.ReadUInt32(16);
        if (length != pdu.Data.Length)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, 16, $"C2HData DATAL {length} but {pdu.Data.Length} data bytes");
        }

        if (offset != (uint)slot.Received || offset + (ulong)length > (ulong)slot.DataIn.Length)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.DataTransferOutOfRange, 12, $"C2HData at {offset}+{length}, expected {slot.Received} within {slot.DataIn.Length}");
        }

        pdu.Data.CopyTo(slot.DataIn.Span[(int)offset..]);
        slot.Received += (int)length;
        slot.DataDigestFailed |= !pdu.DataDigestValid;
        if ((pdu.Flags & PduFlags.Success) != 0)
        {
            if ((pdu.Flags & PduFlags.LastPdu) == 0)
            {
                NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.FlagsOffset, "C2HData with SUCCESS but not LAST_PDU");
            }

            var status = slot.DataDigestFailed ? NvmeStatus.TransientTransportError : NvmeStatus.Success;
            slot.TryComplete(new CompletionEntry(0, 0, 0, QueueId, slot.CommandId, status));
        }
    }

    /// <summary>R2T (3.6.2.9): CCCID at 8, TTAG at 10, R2TO at 12, R2TL at 16; the host answers with H2CData for that range.</summary>
    private void OnR2T(in ReceivedPdu pdu)
    {
        var slot = Outstanding(pdu.ReadUInt16(8), PduType.R2T);
        var offset = pdu.ReadUInt32(12);
        var length = pdu.ReadUInt32(16);
        if (slot.InCapsule || length == 0 || offset + (ulong)length > (ulong)slot.DataOut.Length)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.DataTransferOutOfRange, 12, $"R2T for {offset}+{length} of a command with {slot.DataOut.Length} bytes to send{(slot.InCapsule ? " in its capsule" : "")}");
        }

        _outbound.Writer.TryWrite(new Outbound(OutboundKind.H2CData, slot, pdu.ReadUInt16(10), offset, length));
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Slot.IsActive)
                    {
                        Write(item);
                    }
                }

                var flush = await _writer.FlushAsync(_closing.Token).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Fail(new NvmeTransportException($"{Name} queue {QueueId}: send failed: {ex.Message}", ex));
        }
    }

    private void Write(in Outbound item)
    {
        var slot = item.Slot;
        var headerDigest = _limits.HeaderDigest;
        var dataDigest = _limits.DataDigest;
        if (item.Kind == OutboundKind.Capsule)
        {
            var data = slot.InCapsule ? slot.DataOut.Span : default;
            var span = _writer.GetSpan(PduLayout.CapsuleCmdHeaderLength + PduLayout.DigestLength);
            _writer.Advance(HostPduWriter.WriteCapsuleCmdHeader(span, slot.Command.Span, data.Length, headerDigest, dataDigest));
            WriteData(data, dataDigest);
            return;
        }

        // H2CData: the R2T's range in PDUs of at most MAXH2CDATA, LAST_PDU on the last (3.6.2.7).
        var end = item.Offset + item.Length;
        for (var offset = item.Offset; offset < end;)
        {
            var length = (uint)Math.Min(end - offset, (uint)_maxH2CData);
            var header = _writer.GetSpan(PduLayout.DataHeaderLength + PduLayout.DigestLength);
            _writer.Advance(HostPduWriter.WriteH2CDataHeader(header, slot.CommandId, item.TransferTag, offset, length, offset + length == end, headerDigest, dataDigest));
            WriteData(slot.DataOut.Span.Slice((int)offset, (int)length), dataDigest);
            offset += length;
        }
    }

    private void WriteData(ReadOnlySpan<byte> data, bool dataDigest)
    {
        if (data.IsEmpty)
        {
            return;
        }

        _writer.Write(data);
        if (dataDigest)
        {
            var digest = _writer.GetSpan(PduLayout.DigestLength);
            BinaryPrimitives.WriteUInt32LittleEndian(digest, Crc32C.Compute(data));
            _writer.Advance(PduLayout.DigestLength);
        }
    }
}
