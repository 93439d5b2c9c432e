using Storlane.Cli.Configuration;

namespace Storlane.Cli.Tests;

/// <summary>
/// Sections serve sets up once at start (the NVMe/TCP listeners, the gateway's identity and
/// ownership loop) are refused by a reload as needing a restart, rather than silently kept as they were.
/// </summary>
public sealed class ReloadRestartSectionsTests
{
    private static string With(string section) => $"""
        portals:
          - address: 127.0.0.1
        targets:
          - name: iqn.2026-11.io.storlane:test
            luns:
              - lun: 0
                backend: memory
                size: 1M
        {section}
        """;

    private static async Task<List<string>> RefusalsAsync(string served, string wanted)
    {
        var before = ConfigLoader.ParseServe(With(served), ConfigAssert.File, ConfigAssert.DataDirectory);
        var after = ConfigLoader.ParseServe(With(wanted), ConfigAssert.File, ConfigAssert.DataDirectory);
        await using var server = new Storlane.Target.IscsiTargetServer(before.Target, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        return Serving.ReloadPlan.Compare(before, after, (_, _) => 1 << 20, server).Refusals;
    }

    [Fact]
    public async Task GatewayChange_NeedsARestart()
    {
        Assert.Equal(["gateway changed; needs a restart"], await RefusalsAsync("gateway:\n  name: gw-a", "gateway:\n  name: gw-b"));
    }

    [Fact]
    public async Task NvmePortChange_NeedsARestart()
    {
        Assert.Equal(["nvme changed; needs a restart"], await RefusalsAsync("nvme:\n  port: 4420", "nvme:\n  port: 4421"));
    }

    [Fact]
    public async Task TheSameSections_RefuseNothing()
    {
        Assert.Empty(await RefusalsAsync("gateway:\n  name: gw-a\nnvme:\n  port: 4420", "gateway:\n  name: gw-a\nnvme:\n  port: 4420"));
    }
}
