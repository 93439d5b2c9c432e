using System.Buffers;
using System.Buffers.Binary;
using Storlane.Iscsi;

namespace Storlane.Nvme.Tcp;

/// <summary>
/// Frames host-to-controller PDUs out of a receive buffer without copying the data. Every header
/// field is checked before a byte of data is waited for, so a host can never make the target buffer
/// more than <see cref="FramingLimits.MaxPduLength"/>. A violation throws
/// <see cref="NvmeTcpProtocolException"/> with the Fatal Error Status and FEI of NVMe/TCP 1.0 3.6.2.4.
/// </summary>
public static class PduReader
{
    /// <summary>
    /// Reads one PDU from the start of <paramref name="buffer"/>. False: more bytes are needed
    /// (<paramref name="consumed"/> is 0). True: <paramref name="consumed"/> bytes form the PDU.
    /// </summary>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, in FramingLimits limits, out ReceivedPdu pdu, out long consumed)
    {
        pdu = default;
        consumed = 0;
        if (buffer.Length < PduLayout.CommonHeaderLength)
        {
            return false;
        }

        Span<byte> common = stackalloc byte[PduLayout.CommonHeaderLength];
        buffer.Slice(0, PduLayout.CommonHeaderLength).CopyTo(common);
        var type = (PduType)common[0];
        var flags = (PduFlags)common[1];
        int hlen = common[2];
        int pdo = common[3];
        var plen = BinaryPrimitives.ReadUInt32LittleEndian(common[4..]);
        var digestLength = CheckHeader(type, flags, hlen, pdo, plen, limits);
        if (buffer.Length < plen)
        {
            return false;
        }

        var header = default(PduHeaderBytes);
        buffer.Slice(0, hlen).CopyTo(header);
        if (digestLength != 0)
        {
            Span<byte> digest = stackalloc byte[PduLayout.DigestLength];
            buffer.Slice(hlen, PduLayout.DigestLength).CopyTo(digest);
            if (BinaryPrimitives.ReadUInt32LittleEndian(digest) != Crc32C.Compute(((ReadOnlySpan<byte>)header)[..hlen]))
            {
                // 7.4.6.1: a header digest error is fatal; the connection ends with C2HTermReq.
                NvmeTcpProtocolException.Throw(FatalErrorStatus.HeaderDigestError, 0, $"{type} PDU: header digest mismatch");
            }
        }

        var data = ReadOnlySequence<byte>.Empty;
        var dataValid = true;
        if (pdo != 0)
        {
            var dataDigestLength = (flags & PduFlags.DataDigest) != 0 ? PduLayout.DigestLength : 0;
            data = buffer.Slice(pdo, plen - pdo - dataDigestLength);
            if (dataDigestLength != 0)
            {
                Span<byte> digest = stackalloc byte[PduLayout.DigestLength];
                buffer.Slice(plen - PduLayout.DigestLength, PduLayout.DigestLength).CopyTo(digest);
                dataValid = BinaryPrimitives.ReadUInt32LittleEndian(digest) == Crc32C.Compute(data);
            }
        }

        pdu = new ReceivedPdu
        {
            HeaderBytes = header,
            Type = type,
            Flags = flags,
            HeaderLength = hlen,
            DataOffset = pdo,
            Length = (int)plen,
            Data = data,
            DataDigestValid = dataValid,
        };
        consumed = plen;
        return true;
    }

    /// <summary>Checks the common header of a PDU from the host; returns the header digest length (0 or 4).</summary>
    private static int CheckHeader(PduType type, PduFlags flags, int hlen, int pdo, uint plen, in FramingLimits limits)
    {
        // 3.6.1: a PDU type the controller does not expect from a host is an invalid header field (FEI 0).
        var fromHost = type is PduType.ICReq or PduType.H2CTermReq or PduType.CapsuleCmd or PduType.H2CData;
        if (!fromHost)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.TypeOffset, $"PDU type 0x{(byte)type:x2} is not one a host sends");
        }

        // 3.3: ICReq is the first PDU of a connection and only the first.
        if ((type == PduType.ICReq) == limits.Initialized && type != PduType.H2CTermReq)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.PduSequenceError, PduLayout.TypeOffset, limits.Initialized ? "a second ICReq" : $"{type} before ICReq");
        }

        if (hlen != PduLayout.HeaderLength(type))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.HlenOffset, $"{type} PDU with HLEN {hlen} (must be {PduLayout.HeaderLength(type)})");
        }

        if (type is PduType.ICReq or PduType.H2CTermReq)
        {
            // ICReq and the TermReqs carry no digests (3.6.2.2, 3.6.2.4).
            if (pdo != 0)
            {
                NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PdoOffset, $"{type} PDU with PDO {pdo} (must be 0)");
            }

            var valid = type == PduType.ICReq ? plen == PduLayout.ICLength : plen is >= PduLayout.TermReqHeaderLength and <= PduLayout.MaxTermReqLength;
            if (!valid)
            {
                NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PlenOffset, $"{type} PDU with PLEN {plen}");
            }

            return 0;
        }

        // 3.6.1: HDGSTF "shall be set to 1" when header digests were negotiated and 0 otherwise.
        if (((flags & PduFlags.HeaderDigest) != 0) != limits.HeaderDigest)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.FlagsOffset, $"{type} PDU: HDGSTF does not match the negotiated header digest");
        }

        var digestLength = limits.HeaderDigest ? PduLayout.DigestLength : 0;
        var headerEnd = hlen + digestLength;
        var hasData = pdo != 0;
        if (type == PduType.H2CData && !hasData)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PdoOffset, "H2CData PDU without data (PDO 0)");
        }

        if (((flags & PduFlags.DataDigest) != 0) != (limits.DataDigest && hasData))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.FlagsOffset, $"{type} PDU: DDGSTF does not match the negotiated data digest");
        }

        if (!hasData)
        {
            if (plen != headerEnd)
            {
                NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PlenOffset, $"{type} PDU without data has PLEN {plen} (must be {headerEnd})");
            }

            return digestLength;
        }

        if (pdo < headerEnd)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PdoOffset, $"{type} PDU: PDO {pdo} inside the header ({headerEnd} bytes)");
        }

        var dataDigestLength = limits.DataDigest ? PduLayout.DigestLength : 0;
        if (plen <= (uint)(pdo + dataDigestLength))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PlenOffset, $"{type} PDU: PLEN {plen} leaves no data after PDO {pdo}");
        }

        var dataLength = plen - (uint)pdo - (uint)dataDigestLength;
        var limit = type == PduType.CapsuleCmd ? limits.MaxInCapsuleData : limits.MaxH2CData;
        if (dataLength > (uint)limit)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.DataTransferLimitExceeded, PduLayout.PlenOffset, $"{type} PDU carries {dataLength} data bytes (at most {limit})");
        }

        return digestLength;
    }
}
