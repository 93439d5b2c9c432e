using System.Buffers;
using Storlane.Nvme.Tcp;

namespace Storlane.Nvme.Target;

/// <summary>
/// Host-to-controller data by R2T (NVMe/TCP 1.0, 3.3.2 / 3.6.2.7 / 3.6.2.9): a command whose data
/// did not come in its capsule gets a transfer tag (its slot) and, within the host's MAXR2T, an R2T
/// for the whole transfer; H2CData PDUs fill it in order; the command runs when the last byte is in.
/// </summary>
internal sealed partial class NvmeTcpQueue
{
    private readonly PendingTransfer?[] _transfers;
    private readonly Queue<ushort> _waitingForR2T = new();

    /// <summary>Guards the transfer slots and the R2T queue: the read loop fills them, an Abort on the admin queue may take one out.</summary>
    private readonly Lock _transferLock = new();
    private int _maxR2T = 1;
    private int _activeR2T;

    private sealed class PendingTransfer
    {
        public SubmissionEntry Command;
        public byte[] Buffer = [];
        public int Length;
        public int Received;
        public bool Solicited;
        public bool DigestFailed;
    }

    private async ValueTask<bool> BeginTransferAsync(SubmissionEntry sqe, int length)
    {
        await ReserveBufferAsync(length).ConfigureAwait(false);
        var tag = FreeTransferTag();
        if (tag < 0)
        {
            // Every slot is taken: the host has more commands waiting for data than its queue holds.
            ReleaseBuffer(length);
            NvmeTcpProtocolException.Throw(FatalErrorStatus.PduSequenceError, 0, "more data transfers than the queue holds");
        }

        lock (_transferLock)
        {
            _transfers[tag] = new PendingTransfer { Command = sqe, Buffer = ArrayPool<byte>.Shared.Rent(length), Length = length };
            _waitingForR2T.Enqueue((ushort)tag);
        }

        IssueR2Ts();
        return true;
    }

    private int FreeTransferTag()
    {
        using var scope = _transferLock.EnterScope();
        for (var i = 0; i < _transfers.Length; i++)
        {
            if (_transfers[i] is null)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// "The controller shall not have more than MAXR2T outstanding R2Ts" per connection (3.6.2.2).
    /// Called without the lock held: queueing a PDU may run the writer (and its send) on this thread.
    /// </summary>
    private void IssueR2Ts()
    {
        while (true)
        {
            Outbound r2t;
            lock (_transferLock)
            {
                if (_activeR2T >= _maxR2T || !_waitingForR2T.TryDequeue(out var tag))
                {
                    return;
                }

                var transfer = _transfers[tag]!;
                transfer.Solicited = true;
                _activeR2T++;
                r2t = new Outbound { Kind = OutboundKind.R2T, CommandId = transfer.Command.CommandId, TransferTag = tag, Offset = 0, Length = transfer.Length };
            }

            _outbound.Writer.TryWrite(r2t);
        }
    }

    /// <summary>
    /// H2CData (3.6.2.7): CCCID at 8, TTAG at 10, DATAO at 12, DATAL at 16. The tag must be one an
    /// R2T named for that command, and the data must continue where the last PDU ended, inside the R2T.
    /// </summary>
    private void HandleH2CData(in ReceivedPdu pdu)
    {
        var commandId = pdu.ReadUInt16(8);
        var tag = pdu.ReadUInt16(10);
        var offset = pdu.ReadUInt32(12);
        var length = pdu.ReadUInt32(16);
        var transfer = tag < _transfers.Length ? _transfers[tag] : null;
        if (transfer is null || !transfer.Solicited)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, 10, $"H2CData for transfer tag {tag}, which no R2T named");
        }

        if (transfer.Command.CommandId != commandId)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, 8, $"H2CData CCCID {commandId} does not match transfer tag {tag}");
        }

        if (length != pdu.Data.Length)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, 16, $"H2CData DATAL {length} but {pdu.Data.Length} data bytes");
        }

        if (offset != transfer.Received || offset + length > (uint)transfer.Length)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.DataTransferOutOfRange, 12, $"H2CData at {offset}+{length}, expected {transfer.Received} within {transfer.Length}");
        }

        pdu.Data.CopyTo(transfer.Buffer.AsSpan(transfer.Received));
        transfer.Received += (int)length;
        transfer.DigestFailed |= !pdu.DataDigestValid;
        if (transfer.Received < transfer.Length)
        {
            return;
        }

        lock (_transferLock)
        {
            _transfers[tag] = null;
            _activeR2T--;
        }

        IssueR2Ts();
        if (transfer.DigestFailed)
        {
            ArrayPool<byte>.Shared.Return(transfer.Buffer);
            ReleaseBuffer(transfer.Length);
            Complete(transfer.Command.CommandId, NvmeStatus.TransientTransportError);
            return;
        }

        StartCommand(transfer.Command, transfer.Buffer, transfer.Length, 0);
    }

    private void ReleaseTransfers()
    {
        using var scope = _transferLock.EnterScope();
        for (var i = 0; i < _transfers.Length; i++)
        {
            if (_transfers[i] is { } transfer)
            {
                ArrayPool<byte>.Shared.Return(transfer.Buffer);
                _transfers[i] = null;
            }
        }
    }
}
