using Storlane.Iscsi;

namespace Storlane.Iscsi.Tests.Pdu;

/// <summary>SAM-5 4.7.7 LUN encodings in the 8-byte LUN field.</summary>
public class LunTests
{
    [Fact]
    public void Lun5_UsesPeripheralAddressing()
    {
        Assert.Equal(0x0005_0000_0000_0000UL, Lun.Encode(5));
    }

    [Fact]
    public void Lun300_UsesFlatSpaceAddressing()
    {
        // Flat space: byte 0 = 01b << 6 | LUN[13:8], byte 1 = LUN[7:0].
        Assert.Equal(0x412C_0000_0000_0000UL, Lun.Encode(300));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(255UL)]
    [InlineData(256UL)]
    [InlineData(16383UL)]
    public void EncodeThenDecode_RoundTrips(ulong lun)
    {
        Assert.True(Lun.TryDecode(Lun.Encode(lun), out var decoded));
        Assert.Equal(lun, decoded);
    }

    [Fact]
    public void SecondLevelAddress_IsNotDecoded()
    {
        Assert.False(Lun.TryDecode(0x0001_0001_0000_0000UL, out _));
    }
}
