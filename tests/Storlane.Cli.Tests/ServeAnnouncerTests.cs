using System.Net;
using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Serving;
using Storlane.Target.Portals;

namespace Storlane.Cli.Tests;

public sealed class ServeAnnouncerTests
{
    [Fact]
    public void Announce_PrintsOneLinePerPortalTargetAndLun_ThenTheReadyLine()
    {
        var options = ConfigLoader.LoadDefault(ConfigAssert.DataDirectory);
        var logger = new CollectingLogger();

        ServeAnnouncer.Announce(logger, options, [new BoundPortal(IPEndPoint.Parse("127.0.0.1:3260"), 1, 0), new BoundPortal(IPEndPoint.Parse("127.0.0.2:3260"), 2, 1)]);

        var messages = logger.Entries.Select(e => e.Message).ToList();
        Assert.Equal(6, messages.Count);
        Assert.Equal("portal: 127.0.0.1:3260 (portal group 1)", messages[0]);
        Assert.Equal("portal: 127.0.0.2:3260 (portal group 2)", messages[1]);
        Assert.StartsWith("target: iqn.2026-11.io.storlane:default (alias storlane; initiators: any; authentication: none)", messages[2], StringComparison.Ordinal);
        Assert.Equal(
            $"lun: iqn.2026-11.io.storlane:default/1: file {Path.Combine(ConfigAssert.DataDirectory, "lun1.img")}, 1 GiB, 4096-byte blocks (physical 4096), read-write",
            messages[4]);
        Assert.Equal("ready: iqn.2026-11.io.storlane:default on 127.0.0.1:3260, 127.0.0.2:3260", messages[5]);
        Assert.All(logger.Entries, e => Assert.Equal(LogLevel.Information, e.Level));
    }

    [Fact]
    public void WarnBeyondLoopback_WarnsOncePerPortalAnInitiatorOnTheNetworkCouldReach()
    {
        var options = ConfigAssert.Valid("""
            portals:
              - address: 127.0.0.1
              - address: 0.0.0.0
              - address: "::1"
              - address: 192.0.2.10
            targets: [{ name: "iqn.2026-11.io.storlane:t", luns: [{ lun: 0, backend: memory, size: 1MiB }] }]
            """);
        var logger = new CollectingLogger();

        ServeAnnouncer.WarnBeyondLoopback(logger, options);

        Assert.All(logger.Entries, e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.Collection(
            logger.Entries,
            e => Assert.StartsWith("portal 0.0.0.0:3260 is not on loopback", e.Message, StringComparison.Ordinal),
            e => Assert.StartsWith("portal 192.0.2.10:3260 is not on loopback", e.Message, StringComparison.Ordinal));
    }
}
