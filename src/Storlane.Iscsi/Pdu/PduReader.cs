using System.Buffers;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol;

namespace Storlane.Iscsi.Pdu;

/// <summary>Limits and digests in force on a connection's receive side.</summary>
public struct PduReadOptions
{
    /// <summary>Largest data segment we accept: our declared MaxRecvDataSegmentLength (RFC 7143 13.12).</summary>
    public int MaxDataSegmentLength;

    public bool HeaderDigest;

    public bool DataDigest;
}

/// <summary>One framed PDU: its header copied to the caller's 48 bytes, AHS and data left in the pipe buffer.</summary>
public readonly struct PduFrame
{
    public PduFrame(ReadOnlySequence<byte> additionalHeaders, ReadOnlySequence<byte> data, SequencePosition end, bool dataDigestValid)
    {
        AdditionalHeaders = additionalHeaders;
        Data = data;
        End = end;
        DataDigestValid = dataDigestValid;
    }

    public ReadOnlySequence<byte> AdditionalHeaders { get; }

    /// <summary>The data segment without padding; valid until the reader advances past <see cref="End"/>.</summary>
    public ReadOnlySequence<byte> Data { get; }

    /// <summary>Position just past this PDU (padding and digests included).</summary>
    public SequencePosition End { get; }

    /// <summary>False when the data digest did not match: the caller must not use <see cref="Data"/>.</summary>
    public bool DataDigestValid { get; }
}

/// <summary>
/// Frames PDUs out of a byte stream without copying the data segment (RFC 7143 11.2):
/// BHS (48) + AHS (TotalAHSLength * 4) + HeaderDigest (4) + data padded to 4 + DataDigest (4).
/// </summary>
public static class PduReader
{
    /// <summary>
    /// Returns false when <paramref name="buffer"/> does not yet hold a whole PDU. Throws
    /// <see cref="IscsiProtocolException"/> when the header cannot be trusted; a bad data digest
    /// is reported in the frame instead, because the stream itself is still in step.
    /// </summary>
    public static bool TryReadPdu(in ReadOnlySequence<byte> buffer, in PduReadOptions options, Span<byte> header, out PduFrame frame)
    {
        frame = default;
        if (buffer.Length < Bhs.Length)
        {
            return false;
        }

        buffer.Slice(0, Bhs.Length).CopyTo(header);
        var bhs = new Bhs(header);
        var ahsLength = bhs.TotalAhsLength * 4;
        var dataLength = bhs.DataSegmentLength;
        var headerDigestLength = options.HeaderDigest ? 4 : 0;
        var padding = PaddingOf(dataLength);
        var dataDigestLength = options.DataDigest && dataLength > 0 ? 4 : 0;
        long total = Bhs.Length + ahsLength + headerDigestLength + dataLength + padding + dataDigestLength;

        if (buffer.Length < Bhs.Length + ahsLength + headerDigestLength)
        {
            return false;
        }

        if (options.HeaderDigest)
        {
            // RFC 7143 7.8: a header digest error means the lengths cannot be trusted; the
            // target "MUST either discard the header and all data up to the beginning of a later
            // PDU or close the connection". We cannot find a later PDU safely, so we close.
            var covered = buffer.Slice(0, Bhs.Length + ahsLength);
            Span<byte> digestBytes = stackalloc byte[4];
            buffer.Slice(Bhs.Length + ahsLength, 4).CopyTo(digestBytes);
            if (Crc32C.Compute(covered) != Crc32C.Read(digestBytes))
            {
                IscsiProtocolException.ThrowFramingLost("header digest mismatch");
            }
        }

        if (dataLength > options.MaxDataSegmentLength)
        {
            // RFC 7143 13.12: the sender MUST NOT exceed the receiver's MaxRecvDataSegmentLength.
            IscsiProtocolException.Throw(RejectReason.ProtocolError, "data segment longer than MaxRecvDataSegmentLength");
        }

        if (buffer.Length < total)
        {
            return false;
        }

        var dataStart = Bhs.Length + ahsLength + headerDigestLength;
        var data = buffer.Slice(dataStart, dataLength);
        var digestValid = true;
        if (dataDigestLength != 0)
        {
            Span<byte> digestBytes = stackalloc byte[4];
            buffer.Slice(dataStart + dataLength + padding, 4).CopyTo(digestBytes);
            digestValid = Crc32C.ComputePadded(buffer.Slice(dataStart, dataLength), padding) == Crc32C.Read(digestBytes);
        }

        frame = new PduFrame(buffer.Slice(Bhs.Length, ahsLength), data, buffer.GetPosition(total), digestValid);
        return true;
    }

    /// <summary>Bytes of zero padding after a data segment of <paramref name="length"/> bytes.</summary>
    public static int PaddingOf(int length) => (4 - (length & 3)) & 3;
}
