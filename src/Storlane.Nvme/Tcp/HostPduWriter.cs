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
        return PduHeaders.WriteInitializeConnection(destination, PduType.ICReq, hostDataAlignment, headerDigest, dataDigest, maxR2TZeroBased);
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
        PduHeaders.WriteCommon(destination, PduType.CapsuleCmd, flags, PduLayout.CapsuleCmdHeaderLength, hasData ? (byte)headerEnd : (byte)0, plen);
        submissionEntry[..SubmissionEntry.Length].CopyTo(destination[PduLayout.CommonHeaderLength..]);
        PduHeaders.AppendHeaderDigest(destination, PduLayout.CapsuleCmdHeaderLength, headerDigest);
        return headerEnd;
    }

    /// <summary>
    /// H2CData header (3.6.2.7): CCCID at 8, TTAG at 10, DATAO at 12, DATAL at 16; LAST_PDU on the
    /// last PDU of the R2T's transfer. The caller follows with the data and its digest.
    /// </summary>
    public static int WriteH2CDataHeader(Span<byte> destination, ushort commandId, ushort transferTag, uint dataOffset, uint dataLength, bool last, bool headerDigest, bool dataDigest)
    {
        return PduHeaders.WriteData(destination, PduType.H2CData, last ? PduFlags.LastPdu : 0, commandId, transferTag, dataOffset, dataLength, headerDigest, dataDigest);
    }

    /// <summary>H2CTermReq (3.6.2.4): FES at 8..9, FEI at 10..13, then the offending header (PLEN at most 152). Never digested.</summary>
    public static int WriteH2CTermReq(Span<byte> destination, FatalErrorStatus status, uint fieldOffset, ReadOnlySpan<byte> offendingHeader)
    {
        return PduHeaders.WriteTermReq(destination, PduType.H2CTermReq, status, fieldOffset, offendingHeader);
    }
}
