using Storlane.Iscsi.Tests.Pdu;

namespace Storlane.Protocol.Tests;

/// <summary>
/// RFC 3720 B.4 CRC32C examples (kept by RFC 7143): the wire bytes of each digest. The same
/// function is the NVMe/TCP digest and the MS-VHDX checksum, so these vectors cover all three.
/// </summary>
public class Crc32CTests
{
    [Fact]
    public void ThirtyTwoZeroBytes_DigestOnTheWireIsAa36918a() =>
        Assert.Equal(new byte[] { 0xaa, 0x36, 0x91, 0x8a }, Wire(new byte[32]));

    [Fact]
    public void ThirtyTwoOnesBytes_DigestOnTheWireIs43aba862() =>
        Assert.Equal(new byte[] { 0x43, 0xab, 0xa8, 0x62 }, Wire(Enumerable.Repeat((byte)0xff, 32).ToArray()));

    [Fact]
    public void IncrementingBytes_DigestOnTheWireIs4e79dd46() =>
        Assert.Equal(new byte[] { 0x4e, 0x79, 0xdd, 0x46 }, Wire(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));

    [Fact]
    public void DecrementingBytes_DigestOnTheWireIs5cdb3f11() =>
        Assert.Equal(new byte[] { 0x5c, 0xdb, 0x3f, 0x11 }, Wire(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()));

    [Fact]
    public void IscsiReadCommandPdu_DigestOnTheWireIs563a96d9()
    {
        // RFC 3720 B.4: "An iSCSI - SCSI Read (10) Command PDU", the 48-byte BHS.
        var pdu = Convert.FromHexString(
            "01C00000000000000000000000000000" +
            "14000000000004000000001400000018" +
            "28000000000000000200000000000000");
        Assert.Equal(new byte[] { 0x56, 0x3a, 0x96, 0xd9 }, Wire(pdu));
    }

    [Fact]
    public void CheckString_IsTheCastagnoliCheckValue()
    {
        // The catalogue's CRC-32/ISCSI check value; MS-VHDX names the same CRC-32C (polynomial 0x1EDC6F41).
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void MultiSegmentSequence_EqualsContiguousDigest()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        var sequence = SequenceBuilder.Split(data, 3, 17, 250);
        Assert.Equal(Crc32C.Compute(data), Crc32C.Compute(sequence));
    }

    [Fact]
    public void PaddedDigest_CoversTheZeroPadding()
    {
        // RFC 7143 11.2.4: the data digest covers the data segment including its padding.
        var data = new byte[] { 1, 2, 3, 4, 5 };
        var padded = new byte[] { 1, 2, 3, 4, 5, 0, 0, 0 };
        Assert.Equal(Crc32C.Compute(padded), Crc32C.ComputePadded(data, 3));
        Assert.Equal(Crc32C.Compute(padded), Crc32C.ComputePadded(SequenceBuilder.Split(data, 2), 3));
    }

    [Fact]
    public void Append_ContinuesADigest_AsIfTheBytesWereContiguous()
    {
        var data = Enumerable.Range(0, 77).Select(i => (byte)(i * 31)).ToArray();
        Assert.Equal(Crc32C.Compute(data), Crc32C.Append(Crc32C.Compute(data.AsSpan(0, 13)), data.AsSpan(13)));
        Assert.Equal(Crc32C.Compute(data), Crc32C.Append(0, data));
    }

    private static byte[] Wire(byte[] data)
    {
        var wire = new byte[4];
        Crc32C.Write(wire, Crc32C.Compute(data));
        return wire;
    }
}
