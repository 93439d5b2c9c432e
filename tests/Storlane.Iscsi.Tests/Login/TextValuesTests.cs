using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>Value encodings of RFC 7143 6.1.</summary>
public class TextValuesTests
{
    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("262144", 262144UL)]
    [InlineData("0x40000", 262144UL)]
    [InlineData("0XFFFFFFFFFFFFFFFF", ulong.MaxValue)]
    public void Number_DecimalOrHexConstant(string text, ulong expected)
    {
        Assert.True(TextValues.TryParseNumber(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1e3")]
    [InlineData("0x1g")]
    [InlineData("18446744073709551616")]
    [InlineData("0x10000000000000000")]
    public void Number_Malformed_Refused(string text)
    {
        Assert.False(TextValues.TryParseNumber(text, out _));
    }

    [Fact]
    public void Binary_HexAndBase64DecodeToSameBytes()
    {
        // "hex-constant ... base64-constant" (6.1): the same binary value in either encoding.
        Assert.True(TextValues.TryDecodeBinary("0x00ff10", out var hex));
        Assert.True(TextValues.TryDecodeBinary("0bAP8Q", out var base64));
        Assert.Equal(new byte[] { 0x00, 0xff, 0x10 }, hex);
        Assert.Equal(hex, base64);
    }

    [Fact]
    public void Binary_OddHexDigitCount_HasImpliedLeadingZero()
    {
        Assert.True(TextValues.TryDecodeBinary("0xabc", out var bytes));
        Assert.Equal(new byte[] { 0x0a, 0xbc }, bytes);
    }

    [Theory]
    [InlineData("00ff")]
    [InlineData("0x")]
    [InlineData("0xzz")]
    [InlineData("0b****")]
    [InlineData("0bAP8")]
    [InlineData("0b A P 8 Q")]
    public void Binary_Malformed_Refused(string text)
    {
        Assert.False(TextValues.TryDecodeBinary(text, out _));
    }

    [Fact]
    public void Binary_EncodeHex_LowerCaseWith0x()
    {
        Assert.Equal("0x00ab", TextValues.EncodeHex([0x00, 0xab]));
    }
}
