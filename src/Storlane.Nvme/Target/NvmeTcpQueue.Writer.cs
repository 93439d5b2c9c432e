using System.Buffers;
using System.Buffers.Binary;
using Storlane.Nvme.Tcp;
using Storlane.Protocol;

namespace Storlane.Nvme.Target;

/// <summary>The one writer of the connection: PDUs in queue order, flushed when the queue runs dry.</summary>
internal sealed partial class NvmeTcpQueue
{
    /// <summary>C2HData PDUs carry at most this much (a read larger than it goes in several PDUs).</summary>
    private const int MaxC2HDataLength = 256 * 1024;

    private async Task WriteLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    try
                    {
                        Write(item);
                    }
                    finally
                    {
                        if (item.Kind == OutboundKind.Data)
                        {
                            ArrayPool<byte>.Shared.Return(item.Buffer!);
                            ReleaseBuffer(item.Reserved);
                            if (item.Completes || item.ThenRespond)
                            {
                                Interlocked.Decrement(ref _outstanding);
                            }
                        }
                        else if (item.Kind == OutboundKind.Response)
                        {
                            Interlocked.Decrement(ref _outstanding);
                        }
                    }

                    if (item.Kind == OutboundKind.TermReq)
                    {
                        await _writer.FlushAsync().ConfigureAwait(false);
                        return;
                    }
                }

                var flush = await _writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            Close("write failed");
        }
        finally
        {
            // Return whatever is still queued so no pooled buffer is lost.
            while (reader.TryRead(out var left))
            {
                if (left.Kind == OutboundKind.Data)
                {
                    ArrayPool<byte>.Shared.Return(left.Buffer!);
                }
            }
        }
    }

    private void Write(in Outbound item)
    {
        switch (item.Kind)
        {
            case OutboundKind.ICResp:
                {
                    var span = _writer.GetSpan(PduLayout.ICLength);
                    var digests = (byte)item.CommandId;
                    _writer.Advance(PduWriter.WriteICResp(span, 0, (digests & 1) != 0, (digests & 2) != 0, item.Offset));
                    break;
                }

            case OutboundKind.Response:
                {
                    var span = _writer.GetSpan(PduLayout.CapsuleRespHeaderLength + PduLayout.DigestLength);
                    _writer.Advance(PduWriter.WriteCapsuleResp(span, item.Completion, HeaderDigest));
                    break;
                }

            case OutboundKind.R2T:
                {
                    var span = _writer.GetSpan(PduLayout.DataHeaderLength + PduLayout.DigestLength);
                    _writer.Advance(PduWriter.WriteR2T(span, item.CommandId, item.TransferTag, item.Offset, (uint)item.Length, HeaderDigest));
                    break;
                }

            case OutboundKind.Data:
                WriteData(item);
                break;

            case OutboundKind.TermReq:
                {
                    var span = _writer.GetSpan(PduLayout.MaxTermReqLength);
                    _writer.Advance(PduWriter.WriteC2HTermReq(span, item.FatalStatus, item.Offset, item.Buffer));
                    break;
                }
        }
    }

    /// <summary>
    /// C2HData PDUs for one command's data; the last carries LAST_PDU, and SUCCESS when it completes
    /// the command (3.6.2.8), or else the CapsuleResp follows it. Each PDU (with the response after
    /// the last) is laid out in one span of the pipe: written piecewise, a 128 KiB PDU straddled
    /// three 64 KiB pipe segments and went out in three sends where iSCSI's Data-In takes one.
    /// </summary>
    private void WriteData(in Outbound item)
    {
        var data = item.Buffer.AsSpan(0, item.Length);
        var headerEnd = PduLayout.DataHeaderLength + (HeaderDigest ? PduLayout.DigestLength : 0);
        var dataDigestLength = DataDigest ? PduLayout.DigestLength : 0;
        var responseLength = item.ThenRespond ? PduLayout.CapsuleRespHeaderLength + PduLayout.DigestLength : 0;
        var offset = 0;
        while (offset < data.Length)
        {
            var length = Math.Min(MaxC2HDataLength, data.Length - offset);
            var chunk = data.Slice(offset, length);
            var last = offset + length == data.Length;
            var span = _writer.GetSpan(headerEnd + length + dataDigestLength + (last ? responseLength : 0));
            var written = PduWriter.WriteC2HDataHeader(span, item.CommandId, (uint)offset, (uint)length, last, HeaderDigest, DataDigest, last && item.Completes);
            chunk.CopyTo(span[written..]);
            written += length;
            if (DataDigest)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span[written..], Crc32C.Compute(chunk));
                written += PduLayout.DigestLength;
            }

            if (last && item.ThenRespond)
            {
                written += PduWriter.WriteCapsuleResp(span[written..], item.Completion, HeaderDigest);
            }

            _writer.Advance(written);
            offset += length;
        }
    }
}
