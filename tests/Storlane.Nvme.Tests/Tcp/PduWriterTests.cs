using Storlane.Nvme.Tcp;
using Storlane.Protocol;

namespace Storlane.Nvme.Tests.Tcp;

/// <summary>Golden bytes of the controller-to-host PDUs (NVMe/TCP 1.0, 3.6.2).</summary>
public class PduWriterTests
{
    [Fact]
    public void ICResp_HasHlenAndPlen128_DigestBitsAndMaxH2CData()
    {
        // 3.6.2.3 figure 19: PFV (8-9) 0, CPDA (10), DGST (11) bit 0 HDGST_ENABLE, MAXH2CDATA (12-15).
        var pdu = new byte[128];
        Assert.Equal(128, PduWriter.WriteICResp(pdu, 0, headerDigest: true, dataDigest: false, 0x0010_0000));
        byte[] expected = [0x01, 0x00, 0x80, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00];
        Assert.Equal(expected, pdu[..16]);
        Assert.All(pdu[16..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void CapsuleResp_CarriesTheCqe_AndAHeaderDigestOverTheFirst24Bytes()
    {
        // 3.6.2.6: HLEN 24 (8 + 16-byte CQE); HDGSTF set and PLEN 28 with a header digest.
        var completion = new CompletionEntry(1, 0, 5, 1, 0x1234, NvmeStatus.LbaOutOfRange);
        var pdu = new byte[28];
        Assert.Equal(28, PduWriter.WriteCapsuleResp(pdu, completion, headerDigest: true));
        byte[] expected =
        [
            0x05, 0x01, 0x18, 0x00, 0x1C, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x05, 0x00, 0x01, 0x00, 0x34, 0x12,

            // Status: SC 80h in bits 8:1, DNR bit 15 (base 2.0 figure 92).
            0x00, 0x81,
        ];
        Assert.Equal(expected, pdu[..24]);
        Assert.Equal(Crc32C.Compute(pdu.AsSpan(0, 24)), BitConverter.ToUInt32(pdu, 24));
    }

    [Fact]
    public void C2HData_Header_HasCccidDataoDatal_AndLastPdu()
    {
        // 3.6.2.8 figure 29: CCCID 8-9, DATAO 12-15, DATAL 16-19; PDO right after the header.
        var pdu = new byte[24];
        Assert.Equal(24, PduWriter.WriteC2HDataHeader(pdu, 7, 4096, 512, last: true, headerDigest: false, dataDigest: false));
        byte[] expected =
        [
            0x07, 0x04, 0x18, 0x18, 0x18, 0x02, 0x00, 0x00,
            0x07, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
            0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        Assert.Equal(expected, pdu);
    }

    [Fact]
    public void C2HData_Success_SetsSuccessBesideLastPdu()
    {
        // 3.6.2.8 figure 29 FLAGS: bit 2 LAST_PDU, bit 3 SUCCESS (only on the last PDU).
        var pdu = new byte[24];
        Assert.Equal(24, PduWriter.WriteC2HDataHeader(pdu, 0x0102, 0, 4096, last: true, headerDigest: false, dataDigest: false, success: true));
        byte[] expected =
        [
            0x07, 0x0C, 0x18, 0x18, 0x18, 0x10, 0x00, 0x00,
            0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        Assert.Equal(expected, pdu);
    }

    [Fact]
    public void C2HData_Success_WithoutLastPdu_IsRefused()
    {
        // "If the SUCCESS flag is set to '1', then the LAST_PDU flag shall be set to '1'".
        var pdu = new byte[24];
        Assert.Throws<ArgumentException>(() => PduWriter.WriteC2HDataHeader(pdu, 1, 0, 512, last: false, headerDigest: false, dataDigest: false, success: true));
    }

    [Fact]
    public void C2HData_WithBothDigests_PdoSkipsTheHeaderDigest_AndPlenCountsTheDataDigest()
    {
        var pdu = new byte[28];
        Assert.Equal(28, PduWriter.WriteC2HDataHeader(pdu, 1, 0, 100, last: false, headerDigest: true, dataDigest: true));
        Assert.Equal(0x03, pdu[1]);
        Assert.Equal(28, pdu[3]);
        Assert.Equal(28u + 100 + 4, BitConverter.ToUInt32(pdu, 4));
    }

    [Fact]
    public void R2T_HasCccidTtagR2toR2tl()
    {
        // 3.6.2.9 figure 31: CCCID 8-9, TTAG 10-11, R2TO 12-15, R2TL 16-19; no data (PDO 0).
        var pdu = new byte[24];
        Assert.Equal(24, PduWriter.WriteR2T(pdu, 9, 3, 0, 8192, headerDigest: false));
        byte[] expected =
        [
            0x09, 0x00, 0x18, 0x00, 0x18, 0x00, 0x00, 0x00,
            0x09, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        Assert.Equal(expected, pdu);
    }

    [Fact]
    public void C2HTermReq_HasFesAtByte8_FeiAtByte10_ThenTheOffendingHeader()
    {
        // 3.6.2.4 figure 22: FES 8-9, FEI 10-13, reserved to 23, then the PDU header in error.
        byte[] offending = [0x04, 0x00, 0x50, 0x00, 0x48, 0x00, 0x00, 0x00];
        var pdu = new byte[152];
        Assert.Equal(32, PduWriter.WriteC2HTermReq(pdu, FatalErrorStatus.InvalidPduHeaderField, 2, offending));
        byte[] expected =
        [
            0x03, 0x00, 0x18, 0x00, 0x20, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x04, 0x00, 0x50, 0x00, 0x48, 0x00, 0x00, 0x00,
        ];
        Assert.Equal(expected, pdu[..32]);
    }

    [Fact]
    public void C2HTermReq_IsAtMost152Bytes()
    {
        var pdu = new byte[200];
        Assert.Equal(152, PduWriter.WriteC2HTermReq(pdu, FatalErrorStatus.PduSequenceError, 0, new byte[200]));
    }

    [Fact]
    public void Digest_IsCrc32C_SentLeastSignificantByteFirst()
    {
        // The iSCSI test vector (RFC 3720 B.4): 32 bytes of zeros give 8A9136AA.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
    }
}
