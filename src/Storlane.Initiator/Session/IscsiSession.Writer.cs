using Storlane.Iscsi.Initiator;
using Storlane.Iscsi.Pdu;

namespace Storlane.Initiator.Session;

/// <summary>
/// The writer loop: the only code that touches the PipeWriter. It formats queued work into the
/// pipe and flushes once per burst (or every <see cref="FlushThreshold"/> bytes for large writes),
/// so no lock is ever held across an await on I/O.
/// </summary>
public sealed partial class IscsiSession
{
    private const int FlushThreshold = 1 << 20;

    private long _unflushed;

    private async Task WriterLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    Write(item);
                    if (_unflushed >= FlushThreshold)
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }
                }

                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            Fail(ex);
        }
    }

    private async ValueTask FlushAsync()
    {
        _unflushed = 0;
        var flush = await _output.FlushAsync().ConfigureAwait(false);
        if (flush.IsCompleted || flush.IsCanceled)
        {
            throw new IOException("the connection no longer accepts data");
        }
    }

    private void Write(in OutboundItem item)
    {
        switch (item.Kind)
        {
            case OutboundKind.Command:
                WriteCommand(item.Task!);
                break;
            case OutboundKind.DataOut:
                WriteDataOut(item.Task!, item.TargetTransferTag, item.Offset, item.Length);
                Interlocked.Decrement(ref item.Task!.OutstandingR2T);
                break;
            case OutboundKind.NopAnswer:
                WriteNopAnswer(item);
                break;
            case OutboundKind.Control:
                WriteControl(item.Task!);
                break;
        }
    }

    /// <summary>
    /// SCSI Command with immediate data, then unsolicited Data-Out. "the initiator may send
    /// unsolicited data ... up to FirstBurstLength" (13.14): immediate data only with
    /// ImmediateData=Yes, Data-Out PDUs only with InitialR2T=No, each no longer than the target's
    /// MaxRecvDataSegmentLength (13.12).
    /// </summary>
    private void WriteCommand(InitiatorTask task)
    {
        var write = task.WriteBuffer.Length;
        var parameters = Parameters;
        var segment = parameters.TargetMaxRecvDataSegmentLength;
        var unsolicited = write == 0 || (parameters.InitialR2T && !parameters.ImmediateData) ? 0 : Math.Min(write, parameters.FirstBurstLength);
        var immediate = parameters.ImmediateData ? Math.Min(unsolicited, segment) : 0;
        var dataOut = parameters.InitialR2T ? 0 : unsolicited - immediate;
        bool abandoned;
        lock (task)
        {
            abandoned = task.Abandoned;
        }

        if (abandoned)
        {
            // The CmdSN is spent and must reach the target, but the caller's buffer is no longer ours:
            // send the command alone; the ABORT TASK behind it ends the task.
            immediate = 0;
            dataOut = 0;
        }

        var span = PduWriter.Begin(_output, immediate, _headerDigest, _dataDigest);
        InitiatorPdus.ScsiCommand(
            span,
            task.LunField,
            task.Itt,
            (uint)task.TransferLength,
            task.CmdSN,
            Volatile.Read(ref _expStatSN),
            read: !task.ReadBuffer.IsEmpty,
            write: write > 0,
            final: dataOut == 0,
            task.Cdb.AsSpan(0, task.CdbLength));
        lock (task)
        {
            PduWriter.Finish(_output, span, task.Abandoned ? [] : task.WriteBuffer.Span[..immediate], _headerDigest, _dataDigest);
        }

        _unflushed += immediate + Bhs.Length;
        if (dataOut > 0)
        {
            WriteDataOut(task, Bhs.ReservedTag, (uint)immediate, dataOut);
        }
    }

    /// <summary>
    /// One Data-Out sequence: PDUs of at most MaxRecvDataSegmentLength, DataSN from 0, F on the last
    /// (11.7). Stops early if the caller abandoned the task: the abort that follows ends it.
    /// </summary>
    private void WriteDataOut(InitiatorTask task, uint targetTransferTag, uint offset, int length)
    {
        var segment = Parameters.TargetMaxRecvDataSegmentLength;
        uint dataSN = 0;
        while (length > 0)
        {
            var size = Math.Min(length, segment);
            lock (task)
            {
                if (task.Abandoned || task.ProtocolDone)
                {
                    return;
                }

                var span = PduWriter.Begin(_output, size, _headerDigest, _dataDigest);
                InitiatorPdus.DataOut(span, task.LunField, task.Itt, targetTransferTag, Volatile.Read(ref _expStatSN), dataSN, offset, final: size == length);
                PduWriter.Finish(_output, span, task.WriteBuffer.Span.Slice((int)offset, size), _headerDigest, _dataDigest);
            }

            _unflushed += size + Bhs.Length;
            dataSN++;
            offset += (uint)size;
            length -= size;
        }
    }

    private void WriteNopAnswer(in OutboundItem item)
    {
        var span = PduWriter.Begin(_output, 0, _headerDigest, _dataDigest);
        InitiatorPdus.NopOut(span, Bhs.ReservedTag, item.TargetTransferTag, item.LunField, item.CmdSN, Volatile.Read(ref _expStatSN));
        PduWriter.Finish(_output, span, ReadOnlySpan<byte>.Empty, _headerDigest, _dataDigest);
        _unflushed += Bhs.Length;
    }

    private void WriteControl(InitiatorTask task)
    {
        var expStatSN = Volatile.Read(ref _expStatSN);
        var data = task.Kind == TaskKind.Text ? task.TextRequest.Span : [];
        var span = PduWriter.Begin(_output, data.Length, _headerDigest, _dataDigest);
        switch (task.Kind)
        {
            case TaskKind.Ping:
                InitiatorPdus.NopOut(span, task.Itt, Bhs.ReservedTag, 0, task.CmdSN, expStatSN);
                break;
            case TaskKind.TaskManagement:
                InitiatorPdus.TaskManagement(span, task.Function, task.LunField, task.Itt, task.ReferencedItt, task.CmdSN, expStatSN, task.RefCmdSN);
                break;
            case TaskKind.Logout:
                InitiatorPdus.LogoutRequest(span, task.LogoutReason, task.Itt, connectionId: 0, task.CmdSN, expStatSN);
                break;
            case TaskKind.Text:
                InitiatorPdus.TextRequest(span, final: true, continues: false, task.Itt, task.TextTargetTransferTag, task.CmdSN, expStatSN);
                break;
        }

        PduWriter.Finish(_output, span, data, _headerDigest, _dataDigest);
        _unflushed += data.Length + Bhs.Length;
    }
}
