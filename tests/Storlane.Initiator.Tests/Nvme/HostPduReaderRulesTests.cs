using System.Buffers;
using System.Buffers.Binary;
using Storlane.Nvme;
using Storlane.Nvme.Tcp;
using Storlane.Protocol;

namespace Storlane.Initiator.Tests.Nvme;

/// <summary>
/// The host side of the one PDU reader: which controller PDUs it frames and the fatal errors of
/// NVMe/TCP 1.0, 3.6.2.4 (FES and FEI, the byte offset of the field in error) for malformed ones.
/// </summary>
public sealed class HostPduReaderRulesTests
{
    private static readonly HostFramingLimits Ready = new(true, false, false, 4096);
    private static readonly HostFramingLimits Digests = new(true, true, true, 4096);

    private static byte[] Pdu(PduType type, int hlen, int pdo, int plen, PduFlags flags = PduFlags.None)
    {
        var pdu = new byte[Math.Max(plen, 8)];
        pdu[0] = (byte)type;
        pdu[1] = (byte)flags;
        pdu[2] = (byte)hlen;
        pdu[3] = (byte)pdo;
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(4), (uint)plen);
        return pdu;
    }

    private static NvmeTcpProtocolException Fatal(byte[] pdu, HostFramingLimits limits) =>
        Assert.Throws<NvmeTcpProtocolException>(() => PduReader.TryRead(new ReadOnlySequence<byte>(pdu), limits, out _, out _));

    [Fact]
    public void CapsuleResp_IsFramed_WithItsCqe()
    {
        var pdu = new byte[24];
        PduWriter.WriteCapsuleResp(pdu, new CompletionEntry(7, 0, 1, 1, 42, NvmeStatus.Success), headerDigest: false);
        Assert.True(PduReader.TryRead(new ReadOnlySequence<byte>(pdu), Ready, out var read, out var consumed));
        Assert.Equal(PduType.CapsuleResp, read.Type);
        Assert.Equal(24, consumed);
        Assert.True(read.Data.IsEmpty);
        Assert.Equal(42, read.ReadUInt16(8 + 12));
    }

    [Fact]
    public void CapsuleResp_BeforeICResp_IsPduSequenceError()
    {
        var e = Fatal(Pdu(PduType.CapsuleResp, 24, 0, 24), Ready with { Initialized = false });
        Assert.Equal(FatalErrorStatus.PduSequenceError, e.Status);
        Assert.Equal(0u, e.FieldOffset);
    }

    [Fact]
    public void SecondICResp_IsPduSequenceError()
    {
        var e = Fatal(Pdu(PduType.ICResp, 128, 0, 128), Ready);
        Assert.Equal(FatalErrorStatus.PduSequenceError, e.Status);
    }

    [Fact]
    public void C2HTermReq_BeforeICResp_IsFramed()
    {
        Assert.True(PduReader.TryRead(new ReadOnlySequence<byte>(Pdu(PduType.C2HTermReq, 24, 0, 30)), Ready with { Initialized = false }, out var pdu, out var consumed));
        Assert.Equal(PduType.C2HTermReq, pdu.Type);
        Assert.Equal(30, consumed);
    }

    [Fact]
    public void ICRespWithPdo_IsInvalidPduHeaderField_AtOffset3()
    {
        var e = Fatal(Pdu(PduType.ICResp, 128, 128, 128), Ready with { Initialized = false });
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(3u, e.FieldOffset);
    }

    [Fact]
    public void ICRespOfTheWrongLength_IsInvalidPduHeaderField_AtOffset4()
    {
        var e = Fatal(Pdu(PduType.ICResp, 128, 0, 132), Ready with { Initialized = false });
        Assert.Equal(4u, e.FieldOffset);
    }

    [Fact]
    public void CapsuleRespWithWrongHlen_IsInvalidPduHeaderField_AtOffset2()
    {
        var e = Fatal(Pdu(PduType.CapsuleResp, 72, 0, 72), Ready);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(2u, e.FieldOffset);
    }

    [Theory]
    [InlineData(PduType.CapsuleResp)]
    [InlineData(PduType.R2T)]
    public void HeaderOnlyPduWithData_IsInvalidPduHeaderField_AtOffset3(PduType type)
    {
        var e = Fatal(Pdu(type, 24, 24, 40), Ready);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(3u, e.FieldOffset);
    }

    [Fact]
    public void CapsuleRespWithExtraBytes_IsInvalidPduHeaderField_AtOffset4()
    {
        var e = Fatal(Pdu(PduType.CapsuleResp, 24, 0, 28), Ready);
        Assert.Equal(4u, e.FieldOffset);
    }

    [Fact]
    public void C2HDataWithoutData_IsInvalidPduHeaderField_AtOffset3()
    {
        var e = Fatal(Pdu(PduType.C2HData, 24, 0, 24), Ready);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(3u, e.FieldOffset);
    }

    [Fact]
    public void C2HDataPdoInsideTheHeaderDigest_IsInvalidPduHeaderField_AtOffset3()
    {
        var e = Fatal(Pdu(PduType.C2HData, 24, 24, 24 + 4 + 16 + 4, PduFlags.HeaderDigest | PduFlags.DataDigest), Digests);
        Assert.Equal(3u, e.FieldOffset);
    }

    [Fact]
    public void C2HDataPlenLeavingNoData_IsInvalidPduHeaderField_AtOffset4()
    {
        // PDO 28 and PLEN 32 with a data digest: the 4 bytes after PDO are the digest, of no data.
        var e = Fatal(Pdu(PduType.C2HData, 24, 28, 32, PduFlags.HeaderDigest | PduFlags.DataDigest), Digests);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(4u, e.FieldOffset);
    }

    [Fact]
    public void MissingHeaderDigestFlag_WhenNegotiated_IsInvalidPduHeaderField_AtOffset1()
    {
        var e = Fatal(Pdu(PduType.CapsuleResp, 24, 0, 28), Digests);
        Assert.Equal(1u, e.FieldOffset);
    }

    [Fact]
    public void DataDigestFlag_WhenNotNegotiated_IsInvalidPduHeaderField_AtOffset1()
    {
        var e = Fatal(Pdu(PduType.C2HData, 24, 24, 24 + 16 + 4, PduFlags.DataDigest), Ready);
        Assert.Equal(1u, e.FieldOffset);
    }

    [Fact]
    public void BadHeaderDigest_IsHeaderDigestError()
    {
        var pdu = new byte[28];
        PduWriter.WriteCapsuleResp(pdu, new CompletionEntry(0, 0, 1, 1, 5, NvmeStatus.Success), headerDigest: true);
        Assert.True(PduReader.TryRead(new ReadOnlySequence<byte>(pdu), Digests, out _, out _));

        pdu[10] ^= 1;
        var e = Fatal(pdu, Digests);
        Assert.Equal(FatalErrorStatus.HeaderDigestError, e.Status);
    }

    [Fact]
    public void BadDataDigest_OnlyMarksTheData()
    {
        var pdu = new byte[28 + 16 + 4];
        var header = PduWriter.WriteC2HDataHeader(pdu, 9, 0, 16, last: true, headerDigest: true, dataDigest: true);
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(header + 16), Crc32C.Compute(pdu.AsSpan(header, 16)) ^ 1);
        Assert.True(PduReader.TryRead(new ReadOnlySequence<byte>(pdu), Digests, out var read, out _));
        Assert.False(read.DataDigestValid);
        Assert.Equal(16, read.Data.Length);
    }
}
