using System.Buffers.Binary;
using Storlane.Protocol;

namespace Storlane.Nvme.Tcp;

/// <summary>
/// Encodes host-to-controller PDUs into a caller's span (a pipe's memory): no allocation. Data PDUs
/// write their header and leave the data (and its digest) to the caller, as <see cref="PduWriter"/> does.
/// </summary>
public static class HostPduWriter
{
    /// <summary>
    /// ICReq (NVMe/TCP 1.0, 3.6.2.2): PFV 0 at byte 8, HPDA at 10 (data alignment the host asks of
    /// the controller, 0's based dwords), DGST at 11 (bit 0 header, bit 1 data digest), MAXR2T at
    /// 12..15 (0's based). Always 128 bytes, never digested.
    /// </summary>
    public static int WriteICReq(Span<byte> destination, byte hostDataAlignment, bool headerDigest, bool dataDigest, uint maxR2TZeroBased)
    {
        var pdu = destination[..PduLayout.ICLength];
        pdu.Clear();
        WriteCommonHeader(pdu, PduType.ICReq, PduFlags.None, PduLayout.ICLength, 0, PduLayout.ICLength);
        pdu[10] = hostDataAlignment;
        pdu[11] = (byte)((headerDigest ? 1 : 0) | (dataDigest ? 2 : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(pdu[12..], maxR2TZeroBased);
        return PduLayout.ICLength;
    }

    /// <summary>
    /// CapsuleCmd header (3.6.2.5): the common header, the 64-byte SQE, its digest when negotiated.
    /// With <paramref name="inCapsuleLength"/> above zero, PDO points just past the header (CPDA 0) and
    /// the caller follows with that many data bytes and, with a data digest, the digest.
    /// </summary>
    public static int WriteCapsuleCmdHeader(Span<byte> destination, ReadOnlySpan<byte> submissionEntry, int inCapsuleLength, bool headerDigest, bool dataDigest)
    {
        var headerEnd = PduLayout.CapsuleCmdHeaderLength + (headerDigest ? PduLayout.DigestLength : 0);
        var hasData = inCapsuleLength > 0;
        var withDataDigest = dataDigest && hasData;
        var plen = (uint)headerEnd + (uint)inCapsuleLength + (withDataDigest ? PduLayout.DigestLength : 0u);
        var flags = (headerDigest ? PduFlags.HeaderDigest : 0) | (withDataDigest ? PduFlags.DataDigest : 0);
        WriteCommonHeader(destination, PduType.CapsuleCmd, flags, PduLayout.CapsuleCmdHeaderLength, hasData ? (byte)headerEnd : (byte)0, plen);
        submissionEntry[..SubmissionEntry.Length].CopyTo(destination[PduLayout.CommonHeaderLength..]);
        AppendHeaderDigest(destination, PduLayout.CapsuleCmdHeaderLength, headerDigest);
        return headerEnd;
    }

    /// <summary>
    /// H2CData header (3.6.2.7): CCCID at 8, TTAG at 10, DATAO at 12, DATAL at 16; LAST_PDU on the
    /// last PDU of the R2T's transfer. The caller follows with the data and its digest.
    /// </summary>
    public static int WriteH2CDataHeader(Span<byte> destination, ushort commandId, ushort transferTag, uint dataOffset, uint dataLength, bool last, bool headerDigest, bool dataDigest)
    {
        var headerEnd = PduLayout.DataHeaderLength + (headerDigest ? PduLayout.DigestLength : 0);
        var plen = (uint)headerEnd + dataLength + (dataDigest ? PduLayout.DigestLength : 0u);
        var flags = (headerDigest ? PduFlags.HeaderDigest : 0) | (dataDigest ? PduFlags.DataDigest : 0) | (last ? PduFlags.LastPdu : 0);
        var header = destination[..PduLayout.DataHeaderLength];
        header.Clear();
        WriteCommonHeader(header, PduType.H2CData, flags, PduLayout.DataHeaderLength, (byte)headerEnd, plen);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], commandId);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], transferTag);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], dataOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], dataLength);
        AppendHeaderDigest(destination, PduLayout.DataHeaderLength, headerDigest);
        return headerEnd;
    }

    /// <summary>H2CTermReq (3.6.2.4): FES at 8..9, FEI at 10..13, then the offending header (PLEN at most 152). Never digested.</summary>
    public static int WriteH2CTermReq(Span<byte> destination, FatalErrorStatus status, uint fieldOffset, ReadOnlySpan<byte> offendingHeader)
    {
        var copied = Math.Min(offendingHeader.Length, PduLayout.MaxTermReqLength - PduLayout.TermReqHeaderLength);
        var length = PduLayout.TermReqHeaderLength + copied;
        var header = destination[..PduLayout.TermReqHeaderLength];
        header.Clear();
        WriteCommonHeader(header, PduType.H2CTermReq, PduFlags.None, PduLayout.TermReqHeaderLength, 0, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], (ushort)status);
        BinaryPrimitives.WriteUInt32LittleEndian(header[10..], fieldOffset);
        offendingHeader[..copied].CopyTo(destination[PduLayout.TermReqHeaderLength..]);
        return length;
    }

    private static void WriteCommonHeader(Span<byte> destination, PduType type, PduFlags flags, byte hlen, byte pdo, uint plen)
    {
        destination[0] = (byte)type;
        destination[1] = (byte)flags;
        destination[2] = hlen;
        destination[3] = pdo;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], plen);
    }

    private static void AppendHeaderDigest(Span<byte> pdu, int headerLength, bool headerDigest)
    {
        if (headerDigest)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(pdu[headerLength..], Crc32C.Compute(pdu[..headerLength]));
        }
    }
}
