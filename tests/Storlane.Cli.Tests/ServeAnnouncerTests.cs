using System.Net;
using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Serving;
using Storlane.Target.Portals;

namespace Storlane.Cli.Tests;

public sealed class ServeAnnouncerTests
{
    [Fact]
    public void Announce_AddsTheTargetLine_ThenTheReadyLine_NotAgainThePortalsAndLunsTheTargetLogged()
    {
        var options = ConfigLoader.LoadDefault(ConfigAssert.DataDirectory);
        var logger = new CollectingLogger();

        ServeAnnouncer.Announce(logger, options, [new BoundPortal(IPEndPoint.Parse("127.0.0.1:3260"), 1, 0), new BoundPortal(IPEndPoint.Parse("127.0.0.2:3260"), 2, 1)]);

        Assert.Collection(
            logger.Entries.Select(e => e.Message),
            m => Assert.Equal("target: iqn.2026-11.io.storlane:default (alias storlane; initiators: any; authentication: none)", m),
            m => Assert.Equal("ready: iqn.2026-11.io.storlane:default on 127.0.0.1:3260, 127.0.0.2:3260", m));
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
