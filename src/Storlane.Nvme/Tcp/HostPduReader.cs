using System.Buffers;
using System.Buffers.Binary;
using Storlane.Iscsi;

namespace Storlane.Nvme.Tcp;

/// <summary>What a host connection has negotiated and will accept from the controller.</summary>
/// <param name="Initialized">ICResp has arrived; before it only an ICResp (or C2HTermReq) may come.</param>
/// <param name="HeaderDigest">HDGST_ENABLE was negotiated.</param>
/// <param name="DataDigest">DDGST_ENABLE was negotiated.</param>
/// <param name="MaxDataLength">The most data bytes one C2HData PDU may carry (the host's largest transfer).</param>
public readonly record struct HostFramingLimits(bool Initialized, bool HeaderDigest, bool DataDigest, int MaxDataLength)
{
    public int MaxPduLength => byte.MaxValue + MaxDataLength + PduLayout.DigestLength;
}

/// <summary>
/// Frames controller-to-host PDUs (ICResp, CapsuleResp, C2HData, R2T, C2HTermReq) out of a receive
/// buffer without copying the data, checking every header field before waiting for data, so a
/// controller can never make the host buffer more than <see cref="HostFramingLimits.MaxPduLength"/>.
/// A violation throws <see cref="NvmeTcpProtocolException"/> (the host answers with H2CTermReq).
/// </summary>
public static class HostPduReader
{
    /// <summary>False: more bytes are needed. True: <paramref name="consumed"/> bytes form <paramref name="pdu"/>.</summary>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, in HostFramingLimits limits, out ReceivedPdu pdu, out long consumed)
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
                // 7.4.6.1: a header digest error is fatal to the connection.
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

    private static int CheckHeader(PduType type, PduFlags flags, int hlen, int pdo, uint plen, in HostFramingLimits limits)
    {
        var fromController = type is PduType.ICResp or PduType.C2HTermReq or PduType.CapsuleResp or PduType.C2HData or PduType.R2T;
        if (!fromController)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.TypeOffset, $"PDU type 0x{(byte)type:x2} is not one a controller sends");
        }

        // 3.3: the ICResp answers the ICReq, once, before anything else.
        if ((type == PduType.ICResp) == limits.Initialized && type != PduType.C2HTermReq)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.PduSequenceError, PduLayout.TypeOffset, limits.Initialized ? "a second ICResp" : $"{type} before ICResp");
        }

        if (hlen != PduLayout.HeaderLength(type))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.HlenOffset, $"{type} PDU with HLEN {hlen} (must be {PduLayout.HeaderLength(type)})");
        }

        if (type is PduType.ICResp or PduType.C2HTermReq)
        {
            var valid = pdo == 0 && (type == PduType.ICResp ? plen == PduLayout.ICLength : plen is >= PduLayout.TermReqHeaderLength and <= PduLayout.MaxTermReqLength);
            if (!valid)
            {
                NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PlenOffset, $"{type} PDU with PDO {pdo}, PLEN {plen}");
            }

            return 0;
        }

        // 3.6.1: HDGSTF is set exactly when header digests were negotiated.
        if (((flags & PduFlags.HeaderDigest) != 0) != limits.HeaderDigest)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.FlagsOffset, $"{type} PDU: HDGSTF does not match the negotiated header digest");
        }

        var digestLength = limits.HeaderDigest ? PduLayout.DigestLength : 0;
        var headerEnd = hlen + digestLength;
        var hasData = pdo != 0;
        if (hasData != (type == PduType.C2HData))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PdoOffset, $"{type} PDU with PDO {pdo}");
        }

        if (((flags & PduFlags.DataDigest) != 0) != (limits.DataDigest && hasData))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.FlagsOffset, $"{type} PDU: DDGSTF does not match the negotiated data digest");
        }

        if (!hasData)
        {
            if (plen != headerEnd)
            {
                NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PlenOffset, $"{type} PDU has PLEN {plen} (must be {headerEnd})");
            }

            return digestLength;
        }

        var dataDigestLength = limits.DataDigest ? PduLayout.DigestLength : 0;
        if (pdo < headerEnd || plen <= (uint)(pdo + dataDigestLength))
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.InvalidPduHeaderField, PduLayout.PdoOffset, $"{type} PDU: PDO {pdo} and PLEN {plen} do not frame any data after the {headerEnd}-byte header");
        }

        var dataLength = plen - (uint)pdo - (uint)dataDigestLength;
        if (dataLength > (uint)limits.MaxDataLength)
        {
            NvmeTcpProtocolException.Throw(FatalErrorStatus.DataTransferLimitExceeded, PduLayout.PlenOffset, $"{type} PDU carries {dataLength} data bytes (at most {limits.MaxDataLength})");
        }

        return digestLength;
    }
}
