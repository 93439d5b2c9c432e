using Storlane.Cli.Configuration;

namespace Storlane.Cli.Tests;

/// <summary>Every rule refuses a bad config with the line and column of the offending value.</summary>
public sealed class ConfigErrorTests
{
    /// <summary>A valid config with a placeholder the tests replace with one bad line of LUN settings.</summary>
    private static string WithLunLine(string line) => $"""
        portals:
          - address: 127.0.0.1
        targets:
          - name: iqn.2026-11.io.storlane:test
            luns:
              - lun: 0
                path: lun0.img
                {line}
        """;

    [Fact]
    public void UnknownKey_SuggestsTheNearestKnownKey()
    {
        var error = ConfigAssert.SingleError("""
            portals:
              - address: 127.0.0.1
            targets:
              - name: iqn.2026-11.io.storlane:test
                lunz:
                  - lun: 0
            """, 5, 5);

        Assert.Equal("unknown key 'lunz' (did you mean 'luns'?)", error.Message);
        Assert.Equal("storlane.yaml:5:5: unknown key 'lunz' (did you mean 'luns'?)", error.ToString());
    }

    [Fact]
    public void UnknownKey_FarFromAnyKnownKey_ListsTheKnownKeys()
    {
        var error = ConfigAssert.SingleError(WithLunLine("size: 1MiB\n        colour: blue"), 9, 9);
        Assert.StartsWith("unknown key 'colour' (known keys: lun, backend, path, size", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("size: 1.5GiB", "bad size '1.5GiB'")]
    [InlineData("size: 1GB", "'GB' is ambiguous")]
    [InlineData("size: lots", "bad size 'lots'")]
    [InlineData("size: 0", "at least one block")]
    [InlineData("size: 99999999TiB", "too large")]
    public void BadSize_IsRefusedAtTheSize(string line, string expected)
    {
        var error = ConfigAssert.SingleError(WithLunLine(line), 8, 15);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SizeNotAMultipleOfTheBlockSize_IsRefused()
    {
        var error = ConfigAssert.SingleError(WithLunLine("size: 1000"), 8, 15);
        Assert.Equal("size 1000 bytes is not a multiple of the logical block size (512)", error.Message);
    }

    [Fact]
    public void SizeNotAMultipleOf4096_ForA4KnLun_IsRefused()
    {
        var error = ConfigAssert.SingleError(WithLunLine("size: 6KiB\n        logical-block-size: 4096"), 8, 15);
        Assert.Contains("logical block size (4096)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("logical-block-size: 1024", 29, "'logical-block-size' must be 512 or 4096, got 1024")]
    [InlineData("physical-block-size: 520", 30, "'physical-block-size' must be 512 or 4096, got 520")]
    public void BlockSizeOtherThan512Or4096_IsRefused(string line, int column, string expected)
    {
        var error = ConfigAssert.SingleError(WithLunLine("size: 1MiB\n        " + line), 9, column);
        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData("sanitize-rate: fast", "'sanitize-rate' must be bytes per second (a size such as 200M or 200MiB, optionally followed by /s), got 'fast'")]
    [InlineData("sanitize-rate: 0", "'sanitize-rate' must be above zero, got '0'")]
    [InlineData("sanitize-rate: 0MiB/s", "'sanitize-rate' must be above zero, got '0MiB/s'")]
    public void BadSanitizeRate_IsRefusedAtTheRate(string line, string expected)
    {
        var error = ConfigAssert.SingleError(WithLunLine("size: 1MiB\n        " + line), 9, 24);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void PhysicalBlockSmallerThanLogical_IsRefused()
    {
        var error = ConfigAssert.SingleError(
            WithLunLine("size: 1MiB\n        logical-block-size: 4096\n        physical-block-size: 512"), 10, 30);
        Assert.Equal("'physical-block-size' (512) cannot be smaller than 'logical-block-size' (4096)", error.Message);
    }

    [Fact]
    public void DuplicateLun_IsRefusedAtTheSecondLun()
    {
        var error = ConfigAssert.SingleError("""
            portals: [{ address: 127.0.0.1 }]
            targets:
              - name: iqn.2026-11.io.storlane:test
                luns:
                  - { lun: 0, backend: memory, size: 1MiB }
                  - { lun: 0, backend: memory, size: 1MiB }
            """, 6, 16);
        Assert.Equal("duplicate LUN 0 in target 'iqn.2026-11.io.storlane:test' (first at line 5)", error.Message);
    }

    [Fact]
    public void DuplicateTarget_IsRefusedAtTheSecondName()
    {
        var error = ConfigAssert.SingleError("""
            portals: [{ address: 127.0.0.1 }]
            targets:
              - name: iqn.2026-11.io.storlane:twice
                luns: [{ lun: 0, backend: memory, size: 1MiB }]
              - name: iqn.2026-11.io.storlane:twice
                luns: [{ lun: 0, backend: memory, size: 1MiB }]
            """, 5, 11);
        Assert.Equal("duplicate target 'iqn.2026-11.io.storlane:twice' (first at line 3)", error.Message);
    }

    [Fact]
    public void TwoLunsOnOneFile_AreRefused()
    {
        var error = ConfigAssert.SingleError("""
            portals: [{ address: 127.0.0.1 }]
            targets:
              - name: iqn.2026-11.io.storlane:test
                luns:
                  - { lun: 0, path: same.img, size: 1MiB }
                  - { lun: 1, path: ./same.img, size: 1MiB }
            """, 6, 25);
        Assert.Contains("already used by the LUN at line 5", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("iqn.2026-11.io.storlane:Upper", "lower case")]
    [InlineData("iqn.26-11.io.storlane:x", "not a valid IQN")]
    [InlineData("iqn.2026-13.io.storlane:x", "month 13")]
    [InlineData("iqn.2026-11.:x", "naming authority")]
    [InlineData("iqn.2026-11.io.storlane:has space", "not allowed")]
    [InlineData("eui.0123", "16 hex digits")]
    [InlineData("naa.0123456789abcdef0", "16 or 32 hex digits")]
    [InlineData("target1", "must start with 'iqn.', 'eui.' or 'naa.'")]
    public void InvalidTargetName_IsRefused(string name, string expected)
    {
        var error = ConfigAssert.SingleError($$"""
            portals: [{ address: 127.0.0.1 }]
            targets:
              - name: "{{name}}"
                luns: [{ lun: 0, backend: memory, size: 1MiB }]
            """, 3, 11);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidAllowedInitiator_IsRefusedAtThatItem()
    {
        var error = ConfigAssert.SingleError("""
            portals: [{ address: 127.0.0.1 }]
            targets:
              - name: iqn.2026-11.io.storlane:test
                allowed-initiators:
                  - iqn.1994-05.com.example:host1
                  - host2
                luns: [{ lun: 0, backend: memory, size: 1MiB }]
            """, 6, 9);
        Assert.Contains("'host2' is not an iSCSI name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChapSecretShorterThan12Bytes_IsRefused()
    {
        var error = ConfigAssert.SingleError("""
            portals: [{ address: 127.0.0.1 }]
            targets:
              - name: iqn.2026-11.io.storlane:test
                chap: { user: alice, secret: "01234567890" }
                luns: [{ lun: 0, backend: memory, size: 1MiB }]
            """, 4, 34);
        Assert.Equal("CHAP secret is 11 bytes; RFC 7143 9.2.1 needs at least 12 bytes (96 bits) without IPsec", error.Message);
    }

    [Fact]
    public void MutualChapSecret_EqualToTheChapSecret_IsRefused()
    {
        var error = ConfigAssert.SingleError("""
            portals: [{ address: 127.0.0.1 }]
            targets:
              - name: iqn.2026-11.io.storlane:test
                chap: { user: alice, secret: "0123456789ab" }
                mutual-chap: { user: target, secret: "0123456789ab" }
                luns: [{ lun: 0, backend: memory, size: 1MiB }]
            """, 5, 18);
        Assert.Contains("must differ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MutualChapWithoutChap_IsRefused()
    {
        var error = ConfigAssert.SingleError("""
            portals: [{ address: 127.0.0.1 }]
            targets:
              - name: iqn.2026-11.io.storlane:test
                mutual-chap: { user: target, secret: "0123456789ab" }
                luns: [{ lun: 0, backend: memory, size: 1MiB }]
            """, 4, 18);
        Assert.Contains("'mutual-chap' needs 'chap'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("1")]
    [InlineData("256.0.0.1")]
    [InlineData("storage.example.com")]
    public void PortalAddressNotAnIp_IsRefused(string address)
    {
        var error = ConfigAssert.SingleError($$"""
            portals:
              - address: {{address}}
            targets: [{ name: "iqn.2026-11.io.storlane:t", luns: [{ lun: 0, backend: memory, size: 1MiB }] }]
            """, 2, 14);
        Assert.Contains("is not an IP address", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("65536", "'port' must be in 0..65535, got 65536")]
    [InlineData("-1", "'port' must be in 0..65535, got -1")]
    [InlineData("iscsi", "'port' must be a whole number in 0..65535, got 'iscsi'")]
    public void PortOutOfRange_IsRefused(string port, string expected)
    {
        var error = ConfigAssert.SingleError($$"""
            portals:
              - address: 127.0.0.1
                port: {{port}}
            targets: [{ name: "iqn.2026-11.io.storlane:t", luns: [{ lun: 0, backend: memory, size: 1MiB }] }]
            """, 3, 11);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void DuplicatePortal_IsRefused()
    {
        var error = ConfigAssert.SingleError("""
            portals:
              - address: 127.0.0.1
              - { address: 127.0.0.1, port: 3260 }
            targets: [{ name: "iqn.2026-11.io.storlane:t", luns: [{ lun: 0, backend: memory, size: 1MiB }] }]
            """, 3, 5);
        Assert.Equal("duplicate portal 127.0.0.1:3260 (first at line 2)", error.Message);
    }

    [Theory]
    [InlineData("luns: 5", 5, 11, "'luns' must be a list (items starting with '- '), not '5'")]
    [InlineData("luns: []", 5, 11, "'luns' needs at least one item")]
    [InlineData("luns: [{ lun: 0, backend: memory, size: 1MiB, read-only: maybe }]", 5, 62, "'read-only' must be true or false, got 'maybe'")]
    [InlineData("luns: [{ lun: 0, backend: disk, size: 1MiB }]", 5, 31, "'backend' must be 'file', 'vhdx', 'rbd' or 'memory', got 'disk'")]
    [InlineData("luns: [{ lun: 0, size: 1MiB }]", 5, 12, "missing key 'path' (the file backend needs an image file, e.g. path: lun0.img)")]
    [InlineData("luns: [{ lun: 0, backend: memory, path: x.img, size: 1MiB }]", 5, 45, "'path' is only for the file backend; a memory LUN has no file")]
    [InlineData("luns: [{ lun: 16384, backend: memory, size: 1MiB }]", 5, 19, "'lun' must be in 0..16383, got 16384")]
    [InlineData("luns: [{ backend: memory, size: 1MiB }]", 5, 12, "missing key 'lun'")]
    [InlineData("luns: [{ lun: 0, backend: memory }]", 5, 12, "missing key 'size'")]
    [InlineData("luns: [{ lun: { n: 0 }, backend: memory, size: 1MiB }]", 5, 19, "'lun' must be a whole number, not a mapping")]
    public void WrongTypeOrMissingValue_IsRefusedWhereItIs(string lunsLine, int line, int column, string expected)
    {
        var error = ConfigAssert.SingleError($"""
            portals:
              - address: 127.0.0.1
            targets:
              - name: iqn.2026-11.io.storlane:test
                {lunsLine}
            """, line, column);
        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData("nop-in-interval: -1", "'nop-in-interval' must be in 0..3600, got -1")]
    [InlineData("nop-in-timeout: 0", "'nop-in-timeout' must be in 1..3600, got 0")]
    [InlineData("command-window: 0", "'command-window' must be in 1..65535, got 0")]
    [InlineData("command-window: [1]", "'command-window' must be a whole number, not a list")]
    public void BadServerSetting_IsRefused(string line, string expected)
    {
        var error = ConfigAssert.SingleError($$"""
            portals: [{ address: 127.0.0.1 }]
            targets: [{ name: "iqn.2026-11.io.storlane:t", luns: [{ lun: 0, backend: memory, size: 1MiB }] }]
            {{line}}
            """, 3, line.IndexOf(':', StringComparison.Ordinal) + 3);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void EmptyFile_IsRefused()
    {
        var error = ConfigAssert.SingleError("", 1, 1);
        Assert.Contains("the config is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingPortalsAndTargets_AreBothReported()
    {
        var exception = Assert.Throws<ConfigException>(() => ConfigAssert.Valid("nop-in-interval: 5\n"));
        Assert.Equal(["missing key 'portals'", "missing key 'targets'"], exception.Errors.Select(e => e.Message));
    }

    [Fact]
    public void YamlSyntaxError_IsReportedWithItsPosition()
    {
        var error = ConfigAssert.SingleError("portals: [\n  - x", 2, 3);
        Assert.StartsWith("not valid YAML: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateKey_IsReportedAsInvalidYaml()
    {
        var error = ConfigAssert.SingleError("portals: []\nportals: []\n", 2, 1);
        Assert.Contains("duplicate key", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void SeveralProblems_AreAllReported_InFileOrder()
    {
        var exception = Assert.Throws<ConfigException>(() => ConfigAssert.Valid("""
            portals:
              - address: 127.0.0.1
                port: 70000
            targets:
              - name: iqn.2026-11.io.storlane:test
                luns:
                  - { lun: 0, backend: memory, size: 1000 }
            """));
        Assert.Equal([3, 7], exception.Errors.Select(e => e.Line));
    }

    [Fact]
    public void MissingConfigFile_IsAConfigErrorNamingTheFile()
    {
        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile("/nonexistent/storlane.yaml", ConfigAssert.DataDirectory));
        Assert.StartsWith("/nonexistent/storlane.yaml: cannot read the config file", exception.First.ToString(), StringComparison.Ordinal);
    }
}
