using System.Buffers;
using Storlane.Nvme.Tcp;

namespace Storlane.Nvme.Target;

internal sealed partial class NvmeTcpQueue
{
    private long _bufferBytes;
    private TaskCompletionSource? _bufferFreed;

    /// <summary>
    /// A CapsuleCmd (3.6.2.5): the SQE, and in-capsule data when PDO is set. A command whose data
    /// comes from the host by R2T waits for it; every other command starts now.
    /// </summary>
    private ValueTask<bool> HandleCapsuleAsync(in ReceivedPdu pdu)
    {
        var sqe = SubmissionEntry.Read(pdu.Header[PduLayout.CommonHeaderLength..]);
        if (Interlocked.Increment(ref _outstanding) > Math.Max(_queueSize, 1))
        {
            // SQ flow control: the host may not submit more than the queue holds (SQSIZE + 1).
            NvmeTcpProtocolException.Throw(FatalErrorStatus.PduSequenceError, 0, $"more than {_queueSize} commands outstanding on a queue of {_queueSize} entries");
        }

        _submissionHead = (ushort)((_submissionHead + 1) % Math.Max(_queueSize, 1));
        var toController = HostToController(sqe);
        var sglLength = sqe.SglLength;
        var hasInCapsule = pdu.DataOffset != 0;
        if (hasInCapsule && (sqe.SglIdentifier != SubmissionEntry.SglInCapsule || !toController))
        {
            Complete(sqe.CommandId, NvmeStatus.SglDescriptorTypeInvalid);
            return ValueTask.FromResult(true);
        }

        if (!toController || sglLength == 0)
        {
            // Data to the host: its buffer counts from now until the writer has sent it.
            var reserve = toController ? 0 : (int)Math.Min(sglLength, (uint)_server.Options.Limits.MaxTransferBytes);
            if (TryReserveBuffer(reserve))
            {
                StartCommand(sqe, null, 0, reserve);
                return ValueTask.FromResult(true);
            }

            return StartAfterReserveAsync(sqe, reserve);
        }

        if (sglLength > (uint)_server.Options.Limits.MaxTransferBytes)
        {
            Complete(sqe.CommandId, NvmeStatus.DataSglLengthInvalid);
            return ValueTask.FromResult(true);
        }

        if (hasInCapsule)
        {
            // Offset addressing (ICDOFF 0): the data starts SGL address bytes into the capsule data.
            var data = pdu.Data;
            if (sqe.SglAddress > (ulong)data.Length || sglLength > (ulong)data.Length - sqe.SglAddress)
            {
                Complete(sqe.CommandId, NvmeStatus.DataSglLengthInvalid);
                return ValueTask.FromResult(true);
            }

            if (!pdu.DataDigestValid)
            {
                // 7.4.6.1: a data digest error fails the command, not the connection.
                Complete(sqe.CommandId, NvmeStatus.TransientTransportError);
                return ValueTask.FromResult(true);
            }

            var slice = data.Slice((long)sqe.SglAddress, sglLength);
            return StartWithCopyAsync(sqe, slice);
        }

        if (sqe.SglIdentifier != SubmissionEntry.SglTransport)
        {
            Complete(sqe.CommandId, NvmeStatus.SglDescriptorTypeInvalid);
            return ValueTask.FromResult(true);
        }

        return BeginTransferAsync(sqe, (int)sglLength);
    }

    private async ValueTask<bool> StartAfterReserveAsync(SubmissionEntry sqe, int reserve)
    {
        await ReserveBufferAsync(reserve).ConfigureAwait(false);
        StartCommand(sqe, null, 0, reserve);
        return true;
    }

    private ValueTask<bool> StartWithCopyAsync(SubmissionEntry sqe, ReadOnlySequence<byte> data)
    {
        var length = (int)data.Length;
        if (TryReserveBuffer(length))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            data.CopyTo(buffer);
            StartCommand(sqe, buffer, length, 0);
            return ValueTask.FromResult(true);
        }

        return StartWithCopySlowAsync(sqe, data, length);
    }

    private async ValueTask<bool> StartWithCopySlowAsync(SubmissionEntry sqe, ReadOnlySequence<byte> data, int length)
    {
        // The pipe's buffer stays valid while the read loop waits here (it has not advanced).
        await ReserveBufferAsync(length).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        data.CopyTo(buffer);
        StartCommand(sqe, buffer, length, 0);
        return true;
    }

    /// <summary>Data direction of the opcode's bits 1:0 (base 2.0, figure 28); a Fabrics command's is in its FCTYPE.</summary>
    private static bool HostToController(in SubmissionEntry sqe)
    {
        var code = sqe.Opcode == (byte)AdminOpcode.Fabrics ? (byte)sqe.FabricsType : sqe.Opcode;
        return (code & 0b01) != 0;
    }

    /// <summary>
    /// Bounds the data buffers one connection holds (<see cref="NvmeLimits.MaxBufferBytesPerConnection"/>);
    /// a command that would pass it waits, and with it the read loop, so the host is slowed, not refused.
    /// </summary>
    private bool TryReserveBuffer(long bytes)
    {
        var limit = _server.Options.Limits.MaxBufferBytesPerConnection;
        while (true)
        {
            var held = Volatile.Read(ref _bufferBytes);
            if (held != 0 && held + bytes > limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _bufferBytes, held + bytes, held) == held)
            {
                return true;
            }
        }
    }

    private async ValueTask ReserveBufferAsync(long bytes)
    {
        while (!TryReserveBuffer(bytes))
        {
            var freed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _bufferFreed, freed);
            if (TryReserveBuffer(bytes))
            {
                return;
            }

            await freed.Task.WaitAsync(_closing.Token).ConfigureAwait(false);
        }
    }

    private void ReleaseBuffer(long bytes)
    {
        Interlocked.Add(ref _bufferBytes, -bytes);
        Interlocked.Exchange(ref _bufferFreed, null)?.TrySetResult();
    }

    /// <summary>Runs a command and sends its data and response; never throws.</summary>
    private void StartCommand(SubmissionEntry sqe, byte[]? data, int length, int reserved) => _ = RunCommandAsync(sqe, data, length, reserved);

    private async Task RunCommandAsync(SubmissionEntry sqe, byte[]? data, int length, int reserved)
    {
        CommandResult result;
        try
        {
            result = await ExecuteAsync(sqe, data, length).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            NvmeLog.DeviceFailed(_logger, sqe.Opcode, sqe.NamespaceId, e);
            result = NvmeStatus.InternalError;
        }
        finally
        {
            if (data is not null)
            {
                ArrayPool<byte>.Shared.Return(data);
                ReleaseBuffer(length);
            }
        }

        if (result.Held)
        {
            return;
        }

        if (result.Data is { } output)
        {
            if (result.Status.IsSuccess && result.DataLength > 0)
            {
                // TCP 1.0, 3.6.2.8: with SQ flow control disabled there is no SQHD to report, so a
                // plain success (nothing in DW0/DW1) rides on the last C2HData as SUCCESS, no CapsuleResp.
                // Otherwise the CapsuleResp goes in the same queue item, so data and response leave in one send.
                var completes = _sqFlowControlDisabled && result.Dword0 == 0 && result.Dword1 == 0;
                var completion = new CompletionEntry(result.Dword0, result.Dword1, _submissionHead, QueueId, sqe.CommandId, result.Status);
                _outbound.Writer.TryWrite(new Outbound { Kind = OutboundKind.Data, CommandId = sqe.CommandId, Buffer = output, Length = result.DataLength, Reserved = reserved, Completes = completes, Completion = completion, ThenRespond = !completes });
                return;
            }

            ArrayPool<byte>.Shared.Return(output);
        }

        if (reserved != 0)
        {
            ReleaseBuffer(reserved);
        }

        Complete(sqe.CommandId, result.Status, result.Dword0, result.Dword1);
    }

    /// <summary>Queues the CapsuleResp of a command; the command counts against the queue until the writer has sent it.</summary>
    private void Complete(ushort commandId, NvmeStatus status, uint dword0 = 0, uint dword1 = 0)
    {
        var completion = new CompletionEntry(dword0, dword1, _submissionHead, QueueId, commandId, status);
        _outbound.Writer.TryWrite(new Outbound { Kind = OutboundKind.Response, Completion = completion });
    }

    /// <summary>Completes an AER the controller held.</summary>
    public void CompleteHeld(ushort commandId, uint dword0) => Complete(commandId, NvmeStatus.Success, dword0);
}
