using System.IO.Pipelines;
using System.Threading.Channels;
using Storlane.Iscsi.Login;
using Storlane.Iscsi.Pdu;
using Storlane.Target.Sessions;

namespace Storlane.Target.Connections;

/// <summary>
/// The send side of one connection, as Kestrel's Http2FrameWriter is HTTP/2's: any thread queues
/// (<see cref="Post"/>), and one loop takes the queue in order and is the only code that touches
/// the PipeWriter, StatSN, the outgoing digests and the Data-In limits, so none of them needs a
/// lock. It flushes once per burst of queued PDUs, and counts queued bytes so that the receive loop
/// can stop reading from an initiator that does not read its replies.
/// </summary>
internal sealed partial class ConnectionWriter
{
    /// <summary>Bytes written into the pipe before it is flushed to the socket.</summary>
    private const long BurstBytes = 1 << 20;

    private readonly PipeWriter _output;
    private readonly Channel<OutboundItem> _queue = Channel.CreateUnbounded<OutboundItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConnectionTasks _tasks;
    private readonly PduTrace _trace;
    private readonly Action _closeAfterSent;
    private readonly long _maxQueuedBytes;

    /// <summary>Signalled when the queue drains below its limit; the receive loop waits on it.</summary>
    private readonly SemaphoreSlim _room = new(0, 1);

    /// <summary>Reply bytes queued and not yet taken by the socket (any thread adds, the loop subtracts).</summary>
    private long _queuedBytes;

    // Set by the receive loop once, before it queues its first reply (the queue orders it before
    // the loop reads them); afterwards the loop's alone.
    private uint _statSN;
    private CommandWindow? _window;

    // The writer loop's alone: changed by a queued login response (ApplyAfter), read by every PDU after it.
    private bool _headerDigest;
    private bool _dataDigest;
    private uint _maxDataSegment = OperationalParameters.DefaultMaxRecvDataSegmentLength;
    private uint _maxBurst = OperationalParameters.DefaultMaxBurstLength;

    /// <param name="closeAfterSent">Called by the loop once a PDU marked <see cref="ControlPdu.CloseAfter"/> is on the wire.</param>
    public ConnectionWriter(PipeWriter output, ConnectionTasks tasks, PduTrace trace, long maxQueuedBytes, Action closeAfterSent)
    {
        _output = output;
        _tasks = tasks;
        _trace = trace;
        _maxQueuedBytes = maxQueuedBytes;
        _closeAfterSent = closeAfterSent;
    }

    /// <summary>Reply bytes queued and not yet taken by the socket.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>More is queued than the connection may hold: the receive loop stops reading requests.</summary>
    public bool QueueFull => Interlocked.Read(ref _queuedBytes) > _maxQueuedBytes;

    /// <summary>
    /// StatSN starts at the initiator's ExpStatSN of its first login request (RFC 7143 11.13.4) and
    /// ExpCmdSN/MaxCmdSN come from the command window. Called by the receive loop before the first
    /// reply is queued.
    /// </summary>
    public void BeginNumbering(uint statSN, CommandWindow window)
    {
        _statSN = statSN;
        _window = window;
    }

    public void Post(ControlPdu pdu) => Post(OutboundItem.ForControl(pdu));

    /// <summary>Queues an item, counting its bytes against the queue limit; false once the connection is closing.</summary>
    public bool Post(in OutboundItem item)
    {
        Interlocked.Add(ref _queuedBytes, item.Bytes);
        if (_queue.Writer.TryWrite(item))
        {
            return true;
        }

        Interlocked.Add(ref _queuedBytes, -item.Bytes);
        return false;
    }

    /// <summary>
    /// Back-pressure: while the initiator is not reading the replies already queued, the target
    /// stops reading its requests, so a client that only sends cannot make the target queue
    /// without limit. TCP's own flow control then holds the client.
    /// </summary>
    /// <returns>False when the connection is closing.</returns>
    public async ValueTask<bool> WaitForRoomAsync(CancellationToken closing)
    {
        while (QueueFull)
        {
            try
            {
                await _room.WaitAsync(closing).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return !closing.IsCancellationRequested;
    }

    /// <summary>Nothing more will be queued: the loop ends once it has written what is there.</summary>
    public void EndQueue() => _queue.Writer.TryComplete();

    /// <summary>Unblocks a flush an initiator that stopped reading is holding.</summary>
    public void CancelPendingFlush() => _output.CancelPendingFlush();

    public ValueTask CompletePipeAsync() => _output.CompleteAsync();

    public async Task RunAsync()
    {
        var reader = _queue.Reader;
        var closeRequested = false;
        while (!closeRequested && await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // A burst ends at BurstBytes: what the pipe has copied but the socket has not taken is
            // memory no budget counts, so it must stay small when the initiator stalls.
            var burstBytes = 0L;
            while (!closeRequested && burstBytes < BurstBytes && reader.TryRead(out var item))
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
            _closeAfterSent();
        }

        // Whatever is left belongs to a dead connection: give the tasks back.
        while (reader.TryRead(out var item))
        {
            Sent(item.Bytes);
            if (item.Kind == OutboundKind.Completion)
            {
                Recycle(item.Task!);
            }
        }
    }

    /// <summary>The socket took <paramref name="bytes"/> (or they were dropped with the connection).</summary>
    private void Sent(long bytes)
    {
        if (Interlocked.Add(ref _queuedBytes, -bytes) <= _maxQueuedBytes && _room.CurrentCount == 0)
        {
            try
            {
                _room.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another release got there first: the receive loop is woken once either way.
            }
        }
    }

    /// <summary>Writes a control PDU; returns true when the connection must close after it.</summary>
    private bool WriteControl(ControlPdu pdu)
    {
        var bhs = pdu.Bhs;
        StampSequenceNumbers(bhs, pdu.AdvancesStatSN);
        _trace.Sent(bhs, pdu.Data.Length);
        var span = PduWriter.Begin(_output, pdu.Data.Length, _headerDigest, _dataDigest);
        pdu.Header.CopyTo(span);
        PduWriter.Finish(_output, span, pdu.Data, _headerDigest, _dataDigest);
        if (pdu.ApplyAfter is { } negotiated)
        {
            _headerDigest = negotiated.HeaderDigest;
            _dataDigest = negotiated.DataDigest;
            _maxDataSegment = (uint)negotiated.InitiatorMaxRecvDataSegmentLength;
            _maxBurst = (uint)negotiated.MaxBurstLength;
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

        StampWindow(bhs);
    }

    /// <summary>ExpCmdSN/MaxCmdSN, which every PDU to the initiator carries, status or not.</summary>
    private void StampWindow(Bhs bhs)
    {
        if (_window is { } window)
        {
            var (exp, max) = window.Snapshot();
            bhs.ExpCmdSN = exp;
            bhs.MaxCmdSN = max;
        }
    }

    /// <summary>A task whose status will never be written: its window slot reopens and the object is recycled.</summary>
    private void Recycle(TargetTask task)
    {
        _window?.TaskFinished();
        _tasks.Return(task);
    }
}
