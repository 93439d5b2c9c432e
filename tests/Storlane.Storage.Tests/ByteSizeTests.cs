namespace Storlane.Storage.Tests;

/// <summary>The one size rule: K/M/G/T and KiB/MiB/GiB/TiB are binary (1G = 1GiB = 2^30); KB/MB/GB/TB are refused.</summary>
public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("512", 512L)]
    [InlineData("1073741824", 1073741824L)]
    [InlineData("4096B", 4096L)]
    [InlineData("4K", 4096L)]
    [InlineData("4k", 4096L)]
    [InlineData("4KiB", 4096L)]
    [InlineData("128k", 131072L)]
    [InlineData("64M", 64L << 20)]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1g", 1L << 30)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1 GiB", 1L << 30)]
    [InlineData(" 2gib ", 2L << 30)]
    [InlineData("2T", 2L << 40)]
    [InlineData("2TiB", 2L << 40)]
    public void Parses_BytesAndBinaryUnits(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes, out var error), error);
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void OneG_IsOneGiB_AsQemuImgTruncateAndDdReadIt() =>
        Assert.Equal(ByteSize.Parse("1GiB"), ByteSize.Parse("1G"));

    [Theory]
    [InlineData("1GB", "'GB' is ambiguous")]
    [InlineData("4KB", "write 4K or 4KiB")]
    [InlineData("1gb", "write 1G or 1GiB")]
    [InlineData("1.5GiB", "unknown unit '.5GiB'")]
    [InlineData("-1", "expected a whole number")]
    [InlineData("GiB", "expected a whole number")]
    [InlineData("", "expected a whole number")]
    [InlineData("1 PiB", "unknown unit 'PiB'")]
    [InlineData("9223372036854775808", "too large")]
    [InlineData("8388608TiB", "too large")]
    [InlineData("8388608T", "too large")]
    public void Refuses_AnythingElse_SayingWhy(string text, string reason)
    {
        Assert.False(ByteSize.TryParse(text, out _, out var error));
        Assert.StartsWith($"bad size '{text}'", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Positive_RefusesZero()
    {
        Assert.False(ByteSize.TryParsePositive("0K", out _, out var error));
        Assert.Equal("bad size '0K': must be above zero", error);
        Assert.True(ByteSize.TryParsePositive("1K", out var bytes, out _));
        Assert.Equal(1024, bytes);
    }

    [Theory]
    [InlineData(1L << 30, "1 GiB", "1G")]
    [InlineData(1536L << 20, "1536 MiB", "1536M")]
    [InlineData(1000L, "1000 B", "1000")]
    [InlineData(0L, "0 B", "0")]
    public void Formats_WithTheLargestExactUnit(long bytes, string described, string shortForm)
    {
        Assert.Equal(described, ByteSize.Describe(bytes));
        Assert.Equal(shortForm, ByteSize.Format(bytes));
        Assert.Equal(bytes, ByteSize.Parse(shortForm));
    }
}
