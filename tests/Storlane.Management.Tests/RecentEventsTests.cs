using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Storlane.Initiator;
using Storlane.Initiator.Session;
using Storlane.Target.Observability;

namespace Storlane.Management.Tests;

/// <summary>
/// GET /api/v1/events: the recent warnings and path events, bounded, oldest first; and a refused
/// login against a real serve shows there.
/// </summary>
public sealed class RecentEventsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("storlane-events-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void KeepsWarningsAndPathEvents_NotRoutineInformation_AndHoldsTheLastCapacity()
    {
        var events = new RecentEvents();
        var logger = events.CreateLogger("Storlane.Target");
        logger.Log(LogLevel.Information, new EventId(4, "LoginSucceeded"), "routine", null, (s, _) => s);
        logger.Log(LogLevel.Information, new EventId(8, "SessionReinstated"), "reinstated", null, (s, _) => s);
        logger.Log(LogLevel.Debug, new EventId(1, "Whatever"), "debug", null, (s, _) => s);
        for (var i = 0; i < RecentEvents.Capacity + 10; i++)
        {
            logger.Log(LogLevel.Warning, new EventId(5, "LoginFailed"), "refused " + i, new IOException("boom"), (s, _) => s);
        }

        var kept = events.Snapshot();
        Assert.Equal(RecentEvents.Capacity, kept.Count);
        Assert.Equal("refused 10: boom", kept[0].Message);
        Assert.Equal($"refused {RecentEvents.Capacity + 9}: boom", kept[^1].Message);
        Assert.All(kept, e => Assert.Equal("Warning", e.Level));

        var fresh = new RecentEvents();
        var another = fresh.CreateLogger("Storlane.Target");
        another.Log(LogLevel.Information, new EventId(4, "LoginSucceeded"), "routine", null, (s, _) => s);
        var long5000 = new string('x', 5000);
        another.Log(LogLevel.Information, new EventId(8, "SessionReinstated"), long5000, null, (s, _) => s);
        var only = Assert.Single(fresh.Snapshot());
        Assert.Equal("SessionReinstated", only.EventName);
        Assert.Equal(RecentEvents.MaxMessageChars, only.Message.Length);
    }

    [Fact]
    public async Task ARefusedLogin_IsListed_ForAMonitor()
    {
        var config = Path.Combine(_folder, "storlane.yaml");
        var socket = Path.Combine(_folder, "api.sock");
        await File.WriteAllTextAsync(config, $"""
            portals:
              - {"{"} address: 127.0.0.1, port: 0 {"}"}
            targets:
              - name: iqn.2026-11.io.storlane:events
                allowed-initiators: [iqn.2026-11.io.storlane:allowed]
                luns:
                  - {"{"} lun: 0, backend: memory, size: 1M {"}"}
            management:
              socket: {socket}
            """);
        await using var serve = await ServeProcess.StartAsync(config, _folder, socket);
        using var api = ApiHost.UnixClient(socket, token: null);
        var targets = await api.GetFromJsonAsync<TargetsResponse>("/api/v1/targets");
        var port = IPEndPoint.Parse(targets!.Portals[0].Listening[0].Endpoint).Port;

        await Assert.ThrowsAsync<IscsiLoginException>(async () =>
            await (await IscsiSession.ConnectAsync("127.0.0.1", port, "iqn.2026-11.io.storlane:events", new IscsiSessionOptions { InitiatorName = "iqn.2026-11.io.storlane:stranger" })).DisposeAsync());

        var events = await api.GetFromJsonAsync<List<RecentEvent>>("/api/v1/events");
        var refused = Assert.Single(events!, e => e.EventName == "LoginFailed");
        Assert.Equal("Warning", refused.Level);
        Assert.Contains("iqn.2026-11.io.storlane:stranger", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, await serve.StopAsync());
    }
}
