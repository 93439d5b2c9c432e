using System.Buffers.Binary;
using Storlane.Protocol;

namespace Storlane.Nvme.Tcp;

/// <summary>
/// The header layouts host and controller PDUs share (NVMe/TCP 1.0, 3.6.2): the common header, the
/// initialize-connection pair, the data-transfer headers and the termination requests differ between
/// the two directions only in their PDU type and a field or two, so both writers lay them out here.
/// </summary>
internal static class PduHeaders
{
    /// <summary>Common header (3.6.1): PDU-type, FLAGS, HLEN, PDO, PLEN (little endian).</summary>
    public static void WriteCommon(Span<byte> destination, PduType type, PduFlags flags, byte hlen, byte pdo, uint plen)
    {
        destination[0] = (byte)type;
        destination[1] = (byte)flags;
        destination[2] = hlen;
        destination[3] = pdo;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], plen);
    }

    /// <summary>HDGST: CRC32C of the header, right after it, when negotiated.</summary>
    public static void AppendHeaderDigest(Span<byte> pdu, int headerLength, bool headerDigest)
    {
        if (headerDigest)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(pdu[headerLength..], Crc32C.Compute(pdu[..headerLength]));
        }
    }

    /// <summary>
    /// ICReq / ICResp (3.6.2.2, 3.6.2.3): PFV 0 at byte 8, the data alignment at 10 (HPDA / CPDA), DGST
    /// at 11 (bit 0 header, bit 1 data digest), MAXR2T / MAXH2CDATA at 12..15. Always 128 bytes, never digested.
    /// </summary>
    public static int WriteInitializeConnection(Span<byte> destination, PduType type, byte dataAlignment, bool headerDigest, bool dataDigest, uint limit)
    {
        var pdu = destination[..PduLayout.ICLength];
        pdu.Clear();
        WriteCommon(pdu, type, PduFlags.None, PduLayout.ICLength, 0, PduLayout.ICLength);
        pdu[10] = dataAlignment;
        pdu[11] = (byte)((headerDigest ? 1 : 0) | (dataDigest ? 2 : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(pdu[12..], limit);
        return PduLayout.ICLength;
    }

    /// <summary>
    /// H2CData / C2HData header (3.6.2.7, 3.6.2.8): CCCID at 8, TTAG at 10 (H2CData; reserved in
    /// C2HData), DATAO at 12, DATAL at 16. PDO is the header and its digest (no alignment asked).
    /// Returns the header bytes written; the caller follows with the data and, with a data digest, its digest.
    /// </summary>
    public static int WriteData(Span<byte> destination, PduType type, PduFlags flags, ushort commandId, ushort transferTag, uint dataOffset, uint dataLength, bool headerDigest, bool dataDigest)
    {
        var headerEnd = PduLayout.DataHeaderLength + (headerDigest ? PduLayout.DigestLength : 0);
        var plen = (uint)headerEnd + dataLength + (dataDigest ? PduLayout.DigestLength : 0u);
        flags |= (headerDigest ? PduFlags.HeaderDigest : 0) | (dataDigest ? PduFlags.DataDigest : 0);
        var header = destination[..PduLayout.DataHeaderLength];
        header.Clear();
        WriteCommon(header, type, flags, PduLayout.DataHeaderLength, (byte)headerEnd, plen);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], commandId);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], transferTag);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], dataOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], dataLength);
        AppendHeaderDigest(destination, PduLayout.DataHeaderLength, headerDigest);
        return headerEnd;
    }

    /// <summary>
    /// H2CTermReq / C2HTermReq (3.6.2.4): FES at 8..9, FEI at 10..13, reserved to 23, then as much of
    /// the PDU header in error as fits (PLEN at most 152). Never digested: the peer may not trust digests now.
    /// </summary>
    public static int WriteTermReq(Span<byte> destination, PduType type, FatalErrorStatus status, uint fieldOffset, ReadOnlySpan<byte> offendingHeader)
    {
        var copied = Math.Min(offendingHeader.Length, PduLayout.MaxTermReqLength - PduLayout.TermReqHeaderLength);
        var length = PduLayout.TermReqHeaderLength + copied;
        var header = destination[..PduLayout.TermReqHeaderLength];
        header.Clear();
        WriteCommon(header, type, PduFlags.None, PduLayout.TermReqHeaderLength, 0, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], (ushort)status);
        BinaryPrimitives.WriteUInt32LittleEndian(header[10..], fieldOffset);
        offendingHeader[..copied].CopyTo(destination[PduLayout.TermReqHeaderLength..]);
        return length;
    }
}
