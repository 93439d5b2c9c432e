using Storlane.Iscsi;

namespace Storlane.Iscsi.Tests.Pdu;

/// <summary>RFC 3720 B.4 CRC32C examples (kept by RFC 7143): the wire bytes of each digest.</summary>
public class Crc32CTests
{
    [Fact]
    public void ThirtyTwoZeroBytes_DigestOnTheWireIsAa36918a()
    {
        var digest = Crc32C.Compute(new byte[32]);
        Span<byte> wire = stackalloc byte[4];
        Crc32C.Write(wire, digest);
        Assert.Equal(new byte[] { 0xaa, 0x36, 0x91, 0x8a }, wire.ToArray());
    }

    [Fact]
    public void ThirtyTwoOnesBytes_DigestOnTheWireIs43aba862()
    {
        var data = Enumerable.Repeat((byte)0xff, 32).ToArray();
        Span<byte> wire = stackalloc byte[4];
        Crc32C.Write(wire, Crc32C.Compute(data));
        Assert.Equal(new byte[] { 0x43, 0xab, 0xa8, 0x62 }, wire.ToArray());
    }

    [Fact]
    public void IncrementingBytes_DigestOnTheWireIs4e79dd46()
    {
        var data = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        Span<byte> wire = stackalloc byte[4];
        Crc32C.Write(wire, Crc32C.Compute(data));
        Assert.Equal(new byte[] { 0x4e, 0x79, 0xdd, 0x46 }, wire.ToArray());
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
    }
}
