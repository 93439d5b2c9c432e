using System.Buffers;
using System.Buffers.Binary;
using Storlane.Nvme.Tcp;
using Storlane.Protocol;

namespace Storlane.Nvme.Tests.Tcp;

/// <summary>Framing host PDUs and the fatal errors of NVMe/TCP 1.0, 3.6.2.4 for malformed ones.</summary>
public class PduReaderTests
{
    private static readonly FramingLimits Ready = new(true, false, false, 8192, 65536);
    private static readonly FramingLimits Digests = new(true, true, true, 8192, 65536);

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

    private static NvmeTcpProtocolException Fatal(byte[] pdu, FramingLimits limits) =>
        Assert.Throws<NvmeTcpProtocolException>(() => PduReader.TryRead(new ReadOnlySequence<byte>(pdu), limits, out _, out _));

    [Fact]
    public void ICReq_IsFramed_WhenItIsTheFirstPdu()
    {
        var icreq = Pdu(PduType.ICReq, 128, 0, 128);
        icreq[11] = 3;
        Assert.True(PduReader.TryRead(new ReadOnlySequence<byte>(icreq), Ready with { Initialized = false }, out var pdu, out var consumed));
        Assert.Equal(PduType.ICReq, pdu.Type);
        Assert.Equal(128, consumed);
        Assert.Equal(3, pdu.Header[11]);
    }

    [Fact]
    public void PartialPdu_NeedsMoreBytes()
    {
        var capsule = Pdu(PduType.CapsuleCmd, 72, 0, 72);
        Assert.False(PduReader.TryRead(new ReadOnlySequence<byte>(capsule[..40]), Ready, out _, out var consumed));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void CapsuleCmd_WithInCapsuleData_HandsTheDataSlice()
    {
        var capsule = Pdu(PduType.CapsuleCmd, 72, 72, 72 + 512);
        capsule[72] = 0xAB;
        Assert.True(PduReader.TryRead(new ReadOnlySequence<byte>(capsule), Ready, out var pdu, out _));
        Assert.Equal(512, pdu.Data.Length);
        Assert.Equal(0xAB, pdu.Data.FirstSpan[0]);
        Assert.True(pdu.DataDigestValid);
    }

    [Fact]
    public void WrongHlen_IsInvalidPduHeaderField_AtOffset2()
    {
        var e = Fatal(Pdu(PduType.CapsuleCmd, 80, 0, 80), Ready);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(2u, e.FieldOffset);
    }

    [Theory]
    [InlineData(0x08)]
    [InlineData(0x0A)]
    [InlineData(0xFF)]
    [InlineData((byte)PduType.ICResp)]
    [InlineData((byte)PduType.C2HData)]
    [InlineData((byte)PduType.R2T)]
    public void UnknownOrControllerOnlyType_IsInvalidPduHeaderField_AtOffset0(byte type)
    {
        var e = Fatal(Pdu((PduType)type, 24, 0, 24), Ready);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(0u, e.FieldOffset);
    }

    [Fact]
    public void CapsuleBeforeICReq_IsPduSequenceError()
    {
        var e = Fatal(Pdu(PduType.CapsuleCmd, 72, 0, 72), Ready with { Initialized = false });
        Assert.Equal(FatalErrorStatus.PduSequenceError, e.Status);
    }

    [Fact]
    public void SecondICReq_IsPduSequenceError()
    {
        var e = Fatal(Pdu(PduType.ICReq, 128, 0, 128), Ready);
        Assert.Equal(FatalErrorStatus.PduSequenceError, e.Status);
    }

    [Fact]
    public void InCapsuleDataAboveTheCapsuleSize_IsDataTransferLimitExceeded_BeforeTheDataArrives()
    {
        // Only the 8-byte common header is here: the oversize PLEN is refused before any waiting.
        var header = Pdu(PduType.CapsuleCmd, 72, 72, 72 + 8192 + 4)[..8];
        var e = Fatal(header, Ready);
        Assert.Equal(FatalErrorStatus.DataTransferLimitExceeded, e.Status);
    }

    [Fact]
    public void HugePlen_IsRefused_NotBuffered()
    {
        var header = Pdu(PduType.H2CData, 24, 24, 24);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), uint.MaxValue);
        var e = Fatal(header[..8], Ready);
        Assert.Equal(FatalErrorStatus.DataTransferLimitExceeded, e.Status);
    }

    [Fact]
    public void PlenInsideTheHeader_IsInvalidPduHeaderField_AtOffset4()
    {
        var e = Fatal(Pdu(PduType.CapsuleCmd, 72, 0, 60), Ready);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(4u, e.FieldOffset);
    }

    [Fact]
    public void PdoInsideTheHeader_IsInvalidPduHeaderField_AtOffset3()
    {
        var e = Fatal(Pdu(PduType.CapsuleCmd, 72, 40, 200), Ready);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(3u, e.FieldOffset);
    }

    [Fact]
    public void MissingHeaderDigestFlag_WhenNegotiated_IsInvalidPduHeaderField_AtOffset1()
    {
        var e = Fatal(Pdu(PduType.CapsuleCmd, 72, 0, 76), Digests);
        Assert.Equal(1u, e.FieldOffset);
    }

    [Fact]
    public void BadHeaderDigest_IsHeaderDigestError()
    {
        var pdu = Pdu(PduType.CapsuleCmd, 72, 0, 76, PduFlags.HeaderDigest);
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(72), Crc32C.Compute(pdu.AsSpan(0, 72)) ^ 1);
        var e = Fatal(pdu, Digests with { DataDigest = false });
        Assert.Equal(FatalErrorStatus.HeaderDigestError, e.Status);
    }

    [Fact]
    public void GoodDigests_AreAccepted_AndABadDataDigestOnlyMarksTheData()
    {
        var pdu = Pdu(PduType.CapsuleCmd, 72, 76, 76 + 16 + 4, PduFlags.HeaderDigest | PduFlags.DataDigest);
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(72), Crc32C.Compute(pdu.AsSpan(0, 72)));
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(92), Crc32C.Compute(pdu.AsSpan(76, 16)));
        Assert.True(PduReader.TryRead(new ReadOnlySequence<byte>(pdu), Digests, out var good, out _));
        Assert.True(good.DataDigestValid);

        pdu[80] ^= 0xFF;
        Assert.True(PduReader.TryRead(new ReadOnlySequence<byte>(pdu), Digests, out var bad, out _));
        Assert.False(bad.DataDigestValid);
    }

    [Fact]
    public void H2CTermReq_BeforeICReq_IsFramed()
    {
        Assert.True(PduReader.TryRead(new ReadOnlySequence<byte>(Pdu(PduType.H2CTermReq, 24, 0, 24)), Ready with { Initialized = false }, out var pdu, out _));
        Assert.Equal(PduType.H2CTermReq, pdu.Type);
    }

    [Fact]
    public void ICReqWithPdo_IsInvalidPduHeaderField_AtOffset3()
    {
        var e = Fatal(Pdu(PduType.ICReq, 128, 128, 128), Ready with { Initialized = false });
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(3u, e.FieldOffset);
    }

    [Fact]
    public void H2CDataWithoutData_IsInvalidPduHeaderField_AtOffset3()
    {
        var e = Fatal(Pdu(PduType.H2CData, 24, 0, 24), Ready);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(3u, e.FieldOffset);
    }

    [Fact]
    public void H2CDataAboveMaxH2CData_IsDataTransferLimitExceeded()
    {
        var e = Fatal(Pdu(PduType.H2CData, 24, 24, 24 + 65536 + 1)[..8], Ready);
        Assert.Equal(FatalErrorStatus.DataTransferLimitExceeded, e.Status);
        Assert.Equal(4u, e.FieldOffset);
    }

    [Fact]
    public void PlenLeavingNoDataAfterPdo_IsInvalidPduHeaderField_AtOffset4()
    {
        var e = Fatal(Pdu(PduType.H2CData, 24, 28, 28, PduFlags.HeaderDigest | PduFlags.DataDigest), Digests);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(4u, e.FieldOffset);
    }

    [Fact]
    public void DataDigestFlag_WhenNotNegotiated_IsInvalidPduHeaderField_AtOffset1()
    {
        var e = Fatal(Pdu(PduType.CapsuleCmd, 72, 72, 72 + 16 + 4, PduFlags.DataDigest), Ready);
        Assert.Equal(FatalErrorStatus.InvalidPduHeaderField, e.Status);
        Assert.Equal(1u, e.FieldOffset);
    }
}
