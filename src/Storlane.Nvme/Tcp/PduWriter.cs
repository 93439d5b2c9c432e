using System.Buffers.Binary;

namespace Storlane.Nvme.Tcp;

/// <summary>
/// Encodes controller-to-host PDUs into a caller's span (a pipe's memory): no allocation. Each
/// method returns the bytes written; data PDUs write their header and leave the data to the caller.
/// </summary>
public static class PduWriter
{
    /// <summary>
    /// ICResp (3.6.2.3): PFV 0 at byte 8, CPDA at 10, DGST at 11 (bit 0 header, bit 1 data digest),
    /// MAXH2CDATA at 12..15; the rest reserved. Always 128 bytes, never digested.
    /// </summary>
    public static int WriteICResp(Span<byte> destination, byte cpda, bool headerDigest, bool dataDigest, uint maxH2CData)
    {
        return PduHeaders.WriteInitializeConnection(destination, PduType.ICResp, cpda, headerDigest, dataDigest, maxH2CData);
    }

    /// <summary>CapsuleResp (3.6.2.6): the common header, the 16-byte CQE, then the header digest when negotiated.</summary>
    public static int WriteCapsuleResp(Span<byte> destination, in CompletionEntry completion, bool headerDigest)
    {
        var length = PduLayout.CapsuleRespHeaderLength + (headerDigest ? PduLayout.DigestLength : 0);
        PduHeaders.WriteCommon(destination, PduType.CapsuleResp, headerDigest ? PduFlags.HeaderDigest : PduFlags.None, PduLayout.CapsuleRespHeaderLength, 0, (uint)length);
        completion.WriteTo(destination.Slice(PduLayout.CommonHeaderLength, CompletionEntry.Length));
        PduHeaders.AppendHeaderDigest(destination, PduLayout.CapsuleRespHeaderLength, headerDigest);
        return length;
    }

    /// <summary>
    /// C2HData header (3.6.2.8): CCCID at 8, DATAO at 12, DATAL at 16. PDO is the header (and its
    /// digest): the target asks no data alignment of itself. Returns the header bytes written; the
    /// caller follows with <paramref name="dataLength"/> data bytes and, with a data digest, the digest.
    /// <paramref name="success"/> sets SUCCESS: the command completed successfully and no CapsuleResp
    /// follows; "if the SUCCESS flag is set to '1', then the LAST_PDU flag shall be set to '1'".
    /// </summary>
    public static int WriteC2HDataHeader(Span<byte> destination, ushort commandId, uint dataOffset, uint dataLength, bool last, bool headerDigest, bool dataDigest, bool success = false)
    {
        if (success && !last)
        {
            throw new ArgumentException("SUCCESS may only be set on the last C2HData PDU of a command", nameof(success));
        }

        var flags = (last ? PduFlags.LastPdu : 0) | (success ? PduFlags.Success : 0);
        return PduHeaders.WriteData(destination, PduType.C2HData, flags, commandId, transferTag: 0, dataOffset, dataLength, headerDigest, dataDigest);
    }

    /// <summary>R2T (3.6.2.9): CCCID at 8, TTAG at 10, R2TO at 12, R2TL at 16.</summary>
    public static int WriteR2T(Span<byte> destination, ushort commandId, ushort transferTag, uint offset, uint length, bool headerDigest)
    {
        var total = PduLayout.DataHeaderLength + (headerDigest ? PduLayout.DigestLength : 0);
        var header = destination[..PduLayout.DataHeaderLength];
        header.Clear();
        PduHeaders.WriteCommon(header, PduType.R2T, headerDigest ? PduFlags.HeaderDigest : PduFlags.None, PduLayout.DataHeaderLength, 0, (uint)total);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], commandId);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], transferTag);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], offset);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], length);
        PduHeaders.AppendHeaderDigest(destination, PduLayout.DataHeaderLength, headerDigest);
        return total;
    }

    /// <summary>
    /// C2HTermReq (3.6.2.4): FES at 8..9, FEI at 10..13, reserved to 23, then as much of the PDU
    /// header in error as fits (PLEN at most 152). Never digested: the peer may not trust digests now.
    /// </summary>
    public static int WriteC2HTermReq(Span<byte> destination, FatalErrorStatus status, uint fieldOffset, ReadOnlySpan<byte> offendingHeader)
    {
        return PduHeaders.WriteTermReq(destination, PduType.C2HTermReq, status, fieldOffset, offendingHeader);
    }
}
