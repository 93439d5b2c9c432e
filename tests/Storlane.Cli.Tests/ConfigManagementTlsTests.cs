using Storlane.Cli.Configuration;
using Storlane.Management;

namespace Storlane.Cli.Tests;

/// <summary>The `management:` TCP listener: `listen` with TLS `certificate` and `key`, each rule reported where it is broken.</summary>
public sealed class ConfigManagementTlsTests
{
    private static string With(string management) => $"""
        portals:
          - address: 127.0.0.1
        targets:
          - name: iqn.2026-11.io.storlane:test
            luns:
              - lun: 0
                backend: memory
                size: 1M
        management:
        {management}
        """;

    private static ManagementOptions Load(string yaml) => ConfigLoader.ParseServe(yaml, ConfigAssert.File, ConfigAssert.DataDirectory).Management;

    private static ConfigError SingleError(string yaml, int line, int column)
    {
        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.ParseServe(yaml, ConfigAssert.File, ConfigAssert.DataDirectory));
        var error = Assert.Single(exception.Errors);
        Assert.True((line, column) == (error.Line, error.Column), $"expected the error at {line}:{column}, got {error}");
        return error;
    }

    [Fact]
    public void Listen_WithCertificateAndKey_IsReadWithTheFilesPositions()
    {
        var management = Load(With("""
              listen: 127.0.0.1:8443
              certificate: tls/api.crt
              key: /etc/storlane/api.key
            """));

        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 8443), management.Listen);
        Assert.Equal(Path.Combine(ConfigAssert.DataDirectory, "tls", "api.crt"), management.Certificate!.Path);
        Assert.Equal("storlane.yaml:11:16", management.Certificate.Origin);
        Assert.Equal("/etc/storlane/api.key", management.Key!.Path);
        Assert.Equal("storlane.yaml:12:8", management.Key.Origin);
    }

    [Fact]
    public void Listen_OnIpv6_IsRead()
    {
        var management = Load(With("""
              listen: "[::1]:8443"
              certificate: api.crt
              key: api.key
            """));
        Assert.Equal(System.Net.IPAddress.IPv6Loopback, management.Listen!.Address);
    }

    [Fact]
    public void Listen_WithoutKey_IsRefusedAtListen()
    {
        var error = SingleError(With("""
              listen: 127.0.0.1:8443
              certificate: api.crt
            """), 10, 11);
        Assert.Contains("TLS only", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("localhost:8443")]
    public void Listen_NotAnAddressAndPort_IsRefused(string listen)
    {
        var error = SingleError(With($"""
              listen: {listen}
              certificate: api.crt
              key: api.key
            """), 10, 11);
        Assert.Contains("'listen' must be an IP address and a port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_WithoutListen_IsRefusedWhereItIs()
    {
        var error = SingleError(With("""
              socket: api.sock
              certificate: api.crt
            """), 11, 16);
        Assert.Contains("add 'listen'", error.Message, StringComparison.Ordinal);
    }
}
