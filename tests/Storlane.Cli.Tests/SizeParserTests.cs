using Storlane.Cli.Configuration;

namespace Storlane.Cli.Tests;

public sealed class SizeParserTests
{
    [Theory]
    [InlineData("512", 512L)]
    [InlineData("1073741824", 1073741824L)]
    [InlineData("4096B", 4096L)]
    [InlineData("4KiB", 4096L)]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1 GiB", 1L << 30)]
    [InlineData("2gib", 2L << 30)]
    [InlineData("2TiB", 2L << 40)]
    public void Parses_BytesAndBinaryUnits(string text, long expected)
    {
        Assert.True(SizeParser.TryParse(text, out var bytes, out var error), error);
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("1GB")]
    [InlineData("1G")]
    [InlineData("1.5GiB")]
    [InlineData("-1")]
    [InlineData("GiB")]
    [InlineData("")]
    [InlineData("1 PiB")]
    [InlineData("9223372036854775808")]
    [InlineData("8388608TiB")]
    public void Refuses_AnythingElse(string text)
    {
        Assert.False(SizeParser.TryParse(text, out _, out var error));
        Assert.StartsWith("bad size", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1L << 30, "1 GiB")]
    [InlineData(1536L << 20, "1536 MiB")]
    [InlineData(1000L, "1000 B")]
    public void Formats_WithTheLargestExactUnit(long bytes, string expected) => Assert.Equal(expected, SizeParser.Format(bytes));
}
