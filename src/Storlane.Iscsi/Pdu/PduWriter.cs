using System.Buffers;
using Storlane.Protocol;

namespace Storlane.Iscsi.Pdu;

/// <summary>
/// Writes whole PDUs into an <see cref="IBufferWriter{T}"/> (a PipeWriter in production): the
/// caller fills the header through <see cref="Begin"/>, then the data is appended with padding and
/// digests. One contiguous span per PDU, no intermediate arrays.
/// </summary>
public static class PduWriter
{
    /// <summary>Space for a header (with digest) and a data segment of <paramref name="dataLength"/> (padded, with digest).</summary>
    public static int SizeOf(int dataLength, bool headerDigest, bool dataDigest) =>
        Bhs.Length + (headerDigest ? 4 : 0) + dataLength + PduReader.PaddingOf(dataLength) + (dataDigest && dataLength > 0 ? 4 : 0);

    /// <summary>Reserves a contiguous span for one whole PDU and returns it; fill the first 48 bytes through <see cref="Bhs"/>.</summary>
    public static Span<byte> Begin(IBufferWriter<byte> writer, int dataLength, bool headerDigest, bool dataDigest)
    {
        var span = writer.GetSpan(SizeOf(dataLength, headerDigest, dataDigest));
        span[..Bhs.Length].Clear();
        return span;
    }

    /// <summary>
    /// Completes a PDU begun with <see cref="Begin"/>: sets DataSegmentLength, copies the data,
    /// zero-pads to 4 bytes, appends digests and advances the writer.
    /// </summary>
    public static void Finish(IBufferWriter<byte> writer, Span<byte> pdu, ReadOnlySpan<byte> data, bool headerDigest, bool dataDigest)
    {
        var bhs = new Bhs(pdu);
        bhs.DataSegmentLength = data.Length;
        var position = Bhs.Length;
        if (headerDigest)
        {
            Crc32C.Write(pdu[position..], Crc32C.Compute(pdu[..Bhs.Length]));
            position += 4;
        }

        if (!data.IsEmpty)
        {
            var padding = PduReader.PaddingOf(data.Length);
            data.CopyTo(pdu[position..]);
            pdu.Slice(position + data.Length, padding).Clear();
            var padded = pdu.Slice(position, data.Length + padding);
            position += padded.Length;
            if (dataDigest)
            {
                Crc32C.Write(pdu[position..], Crc32C.Compute(padded));
                position += 4;
            }
        }

        writer.Advance(position);
    }

    /// <summary>Convenience for PDUs whose data is in a sequence (e.g. echoed NOP-Out data).</summary>
    public static void Finish(IBufferWriter<byte> writer, Span<byte> pdu, in ReadOnlySequence<byte> data, bool headerDigest, bool dataDigest)
    {
        if (data.IsSingleSegment)
        {
            Finish(writer, pdu, data.FirstSpan, headerDigest, dataDigest);
            return;
        }

        var length = (int)data.Length;
        var dataStart = Bhs.Length + (headerDigest ? 4 : 0);
        data.CopyTo(pdu[dataStart..]);
        Finish(writer, pdu, pdu.Slice(dataStart, length), headerDigest, dataDigest);
    }
}
