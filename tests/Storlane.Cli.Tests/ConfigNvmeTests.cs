using Storlane.Cli.Configuration;

namespace Storlane.Cli.Tests;

/// <summary>The `nvme:` section and a target's `nqn`, checked where each value sits.</summary>
public sealed class ConfigNvmeTests
{
    private static string With(string nvme, string targetExtra = "") => $"""
        portals:
          - address: 127.0.0.1
        targets:
          - name: iqn.2026-11.io.storlane:test
        {targetExtra}
            luns:
              - lun: 0
                backend: memory
                size: 1M
        nvme:
        {nvme}
        """;

    private static NvmeSettings Load(string yaml) => ConfigLoader.ParseServe(yaml, ConfigAssert.File, ConfigAssert.DataDirectory).Nvme;

    [Fact]
    public void Defaults_AreLoopbackOnly_On4420And8009()
    {
        var nvme = ConfigLoader.ParseServe(ConfigLoader.DefaultYaml, ConfigAssert.File, ConfigAssert.DataDirectory).Nvme;
        Assert.Equal(NvmeListenMode.Loopback, nvme.Mode);
        Assert.Equal(4420, nvme.Port);
        Assert.Equal(8009, nvme.DiscoveryPort);
    }

    [Fact]
    public void Section_AndTargetNqn_AreMapped()
    {
        var nvme = Load(With("  enabled: true\n  port: 14420\n  discovery-port: 0\n  max-io-queues: 2", "    nqn: nqn.2014-08.org.example:disk"));
        Assert.Equal(NvmeListenMode.All, nvme.Mode);
        Assert.Equal(14420, nvme.Port);
        Assert.Equal(0, nvme.DiscoveryPort);
        Assert.Equal(2, nvme.Limits.MaxIoQueues);
        Assert.Equal("nqn.2014-08.org.example:disk", nvme.NqnByTarget["iqn.2026-11.io.storlane:test"]);
    }

    [Fact]
    public void UnknownEnabledValue_IsRefusedAtTheValue()
    {
        var error = ConfigAssert.SingleError(With("  enabled: maybe"), 11, 12);
        Assert.Contains("'enabled' must be loopback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PortOutOfRange_IsRefusedAtThePort()
    {
        ConfigAssert.SingleError(With("  port: 70000"), 11, 9);
    }

    [Fact]
    public void NqnWithoutPrefix_IsRefusedAtTheNqn()
    {
        var error = ConfigAssert.SingleError(With("  enabled: false", "    nqn: iqn.2026-11.io.storlane:x"), 5, 10);
        Assert.Contains("'nqn' must start with 'nqn.'", error.Message, StringComparison.Ordinal);
    }
}
