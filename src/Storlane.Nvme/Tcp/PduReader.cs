using System.Buffers;
using System.Buffers.Binary;
using Storlane.Protocol;

namespace Storlane.Nvme.Tcp;

/// <summary>
/// Frames NVMe/TCP PDUs out of a receive buffer without copying the data, for a controller
/// (<see cref="FramingLimits"/>) and a host (<see cref="HostFramingLimits"/>) alike. Every header
/// field is checked before a byte of data is waited for, so a peer can never make this end buffer
/// more than the rules' largest PDU. A violation throws <see cref="NvmeTcpProtocolException"/> with
/// the Fatal Error Status and FEI of NVMe/TCP 1.0 3.6.2.4: the connection ends with a TermReq.
/// </summary>
public static class PduReader
{
    /// <summary>
    /// Reads one PDU from the start of <paramref name="buffer"/>. False: more bytes are needed
    /// (<paramref name="consumed"/> is 0). True: <paramref name="consumed"/> bytes form the PDU.
    /// </summary>
    public static bool TryRead<TRules>(in ReadOnlySequence<byte> buffer, in TRules rules, out ReceivedPdu pdu, out long consumed)
        where TRules : struct, IPduFramingRules
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
        var digestLength = CheckHeader(type, flags, hlen, pdo, plen, rules);
        if (buffer.Length < plen)
        {
            return false;
        }

        var header = default(PduHeaderBytes);
        buffer.Slice(0, hlen).CopyTo(header);
        if (digestLength != 0 && ReadDigest(buffer, hlen) != Crc32C.Compute(((ReadOnlySpan<byte>)header)[..hlen]))
        {
            // 7.4.6.1: a header digest error is fatal to the connection.
            NvmeTcpProtocolException.Throw(FatalErrorStatus.HeaderDigestError, 0, $"{type} PDU: header digest mismatch");
        }

        var data = ReadOnlySequence<byte>.Empty;
        var dataValid = true;
        if (pdo != 0)
        {
            var dataDigestLength = (flags & PduFlags.DataDigest) != 0 ? PduLayout.DigestLength : 0;
            data = buffer.Slice(pdo, plen - pdo - dataDigestLength);

            // 7.4.6.1: a data digest error fails the command, not the connection; the caller decides.
            dataValid = dataDigestLength == 0 || ReadDigest(buffer, plen - PduLayout.DigestLength) == Crc32C.Compute(data);
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

    private static uint ReadDigest(in ReadOnlySequence<byte> buffer, long offset)
    {
        Span<byte> digest = stackalloc byte[PduLayout.DigestLength];
        buffer.Slice(offset, PduLayout.DigestLength).CopyTo(digest);
        return BinaryPrimitives.ReadUInt32LittleEndian(digest);
    }

    /// <summary>Checks the common header of a PDU from the peer; returns the header digest length (0 or 4).</summary>
    private static int CheckHeader<TRules>(PduType type, PduFlags flags, int hlen, int pdo, uint plen, in TRules rules)
        where TRules : struct, IPduFramingRules
    {
        // 3.6.1: a PDU type this end does not expect from its peer is an invalid header field (FEI 0).
        if (!TRules.Accepts(type))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.TypeOffset, $"PDU type 0x{(byte)type:x2} is not one a {TRules.Peer} sends");
        }

        // 3.3: ICReq/ICResp open the connection, once, before anything but a TermReq.
        if ((type == TRules.Initialization) == rules.Initialized && type != TRules.TermReq)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.PduSequenceError, PduLayout.TypeOffset, rules.Initialized ? $"a second {type}" : $"{type} before {TRules.Initialization}");
        }

        if (hlen != PduLayout.HeaderLength(type))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.HlenOffset, $"{type} PDU with HLEN {hlen} (must be {PduLayout.HeaderLength(type)})");
        }

        if (type == TRules.Initialization || type == TRules.TermReq)
        {
            // ICReq, ICResp and the TermReqs carry no digests and no data (3.6.2.2 to 3.6.2.4).
            if (pdo != 0)
            {
                NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PdoOffset, $"{type} PDU with PDO {pdo} (must be 0)");
            }

            var valid = type == TRules.Initialization ? plen == PduLayout.ICLength : plen is >= PduLayout.TermReqHeaderLength and <= PduLayout.MaxTermReqLength;
            if (!valid)
            {
                NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PlenOffset, $"{type} PDU with PLEN {plen}");
            }

            return 0;
        }

        // 3.6.1: HDGSTF "shall be set to 1" when header digests were negotiated and 0 otherwise.
        if (((flags & PduFlags.HeaderDigest) != 0) != rules.HeaderDigest)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.FlagsOffset, $"{type} PDU: HDGSTF does not match the negotiated header digest");
        }

        var digestLength = rules.HeaderDigest ? PduLayout.DigestLength : 0;
        var headerEnd = hlen + digestLength;
        var hasData = pdo != 0;
        var dataLimit = rules.DataLimit(type);
        if (hasData ? dataLimit < 0 : TRules.RequiresData(type))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PdoOffset, hasData ? $"{type} PDU with PDO {pdo} (it carries no data)" : $"{type} PDU without data (PDO 0)");
        }

        // 3.6.1: DDGSTF is set exactly on PDUs with data when data digests were negotiated.
        if (((flags & PduFlags.DataDigest) != 0) != (rules.DataDigest && hasData))
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

        var dataDigestLength = rules.DataDigest ? PduLayout.DigestLength : 0;
        if (plen <= (uint)(pdo + dataDigestLength))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PlenOffset, $"{type} PDU: PLEN {plen} leaves no data after PDO {pdo}");
        }

        // 3.6.2.4: FES 05h, "Data Transfer Limit Exceeded".
        var dataLength = plen - (uint)pdo - (uint)dataDigestLength;
        if (dataLength > (uint)dataLimit)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.DataTransferLimitExceeded, PduLayout.PlenOffset, $"{type} PDU carries {dataLength} data bytes (at most {dataLimit})");
        }

        return digestLength;
    }
}
