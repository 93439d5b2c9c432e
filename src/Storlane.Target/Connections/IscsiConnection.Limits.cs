namespace Storlane.Target.Connections;

/// <summary>
/// What one connection may make the target hold (<see cref="TargetLimits"/>): reply bytes queued
/// for its socket, data-transfer buffers for its commands, and time spent logging in or stalled in
/// the middle of a PDU.
/// </summary>
internal sealed partial class IscsiConnection
{
    /// <summary>Signalled by the writer when the queue drains below its limit.</summary>
    private readonly SemaphoreSlim _queueRoom = new(0, 1);
    /// <summary>When the connection was accepted, in <see cref="ServerContext.NowMilliseconds"/>.</summary>
    private readonly long _acceptedTicks;
    private long _queuedBytes;
    private long _bufferBytes;

    /// <summary>When the receive loop began waiting for the rest of a half-received PDU; 0 while it is not.</summary>
    private long _stalledSinceTicks;

    /// <summary>Reply bytes queued and not yet taken by the socket.</summary>
    internal long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>Data-transfer buffer bytes this connection's commands hold.</summary>
    internal long BufferBytes => Interlocked.Read(ref _bufferBytes);

    /// <summary>Posts an item to the writer, counting its bytes against the queue limit.</summary>
    private bool Post(in OutboundItem item)
    {
        Interlocked.Add(ref _queuedBytes, item.Bytes);
        if (_outbound.Writer.TryWrite(item))
        {
            return true;
        }

        Interlocked.Add(ref _queuedBytes, -item.Bytes);
        return false;
    }

    /// <summary>The writer put <paramref name="bytes"/> on the socket (or dropped them with the connection).</summary>
    private void Sent(long bytes)
    {
        if (Interlocked.Add(ref _queuedBytes, -bytes) <= _server.Limits.MaxQueuedBytesPerConnection && _queueRoom.CurrentCount == 0)
        {
            try
            {
                _queueRoom.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another release got there first: the receive loop is woken once either way.
            }
        }
    }

    private bool QueueFull => Interlocked.Read(ref _queuedBytes) > _server.Limits.MaxQueuedBytesPerConnection;

    /// <summary>
    /// Back-pressure: while the initiator is not reading the replies already queued, the target
    /// stops reading its requests, so a client that only sends cannot make the target queue
    /// without limit. TCP's own flow control then holds the client.
    /// </summary>
    /// <returns>False when the connection is closing.</returns>
    private async ValueTask<bool> WaitForQueueRoomAsync()
    {
        while (QueueFull)
        {
            try
            {
                await _queueRoom.WaitAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return !_closing.IsCancellationRequested;
    }

    /// <summary>
    /// Reserves a command's data buffer against this connection's share and the process-wide
    /// budget. The first buffer of a connection is always granted, so every initiator can make
    /// progress however much the others hold.
    /// </summary>
    private bool TryReserveBuffer(TargetTask task, uint bytes)
    {
        var held = Interlocked.Read(ref _bufferBytes);
        var first = held == 0;
        if (!first && held + bytes > _server.Limits.MaxBufferBytesPerConnection)
        {
            return false;
        }

        if (!_server.Buffers.TryReserve(bytes, guaranteed: first))
        {
            return false;
        }

        Interlocked.Add(ref _bufferBytes, bytes);
        task.BufferCharge = bytes;
        return true;
    }

    /// <summary>Gives a task's buffer reservation back; the task is being recycled.</summary>
    private void ReleaseBuffer(TargetTask task)
    {
        var charge = task.BufferCharge;
        if (charge == 0)
        {
            return;
        }

        task.BufferCharge = 0;
        Interlocked.Add(ref _bufferBytes, -charge);
        _server.Buffers.Release(charge);
    }

    /// <summary>
    /// Called once a second: a login that has not reached full feature phase in time, and a PDU
    /// whose rest has not arrived in time, end the connection (a client that opens a socket, or
    /// starts a PDU, and then waits must not hold a connection forever).
    /// </summary>
    private bool CheckTimeouts(long now)
    {
        var limits = _server.Limits;
        string? why = null;
        if (_session is null && limits.LoginTimeoutSeconds > 0 && now - _acceptedTicks > limits.LoginTimeoutSeconds * 1000L)
        {
            why = $"login not completed within {limits.LoginTimeoutSeconds} s (login-timeout)";
        }
        else if (Volatile.Read(ref _stalledSinceTicks) is var since and not 0 && limits.PduStallTimeoutSeconds > 0
            && now - since > limits.PduStallTimeoutSeconds * 1000L)
        {
            why = $"no byte of a started PDU for {limits.PduStallTimeoutSeconds} s (pdu-stall-timeout)";
        }

        if (why is null)
        {
            return false;
        }

        TargetLog.ConnectionTimedOut(_server.Loggers.Connections, Number, Remote, why);
        Abort(why);
        return true;
    }
}
