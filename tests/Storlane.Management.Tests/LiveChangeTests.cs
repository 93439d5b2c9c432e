using System.Net;
using System.Net.Http.Json;
using Storlane.Initiator.Session;
using Storlane.Protocol.Scsi;
using Storlane.Target.Observability;

namespace Storlane.Management.Tests;

/// <summary>
/// Changes through the API against a real <c>storlane serve</c>, while Storlane's initiator runs
/// verified I/O on LUN 0: the I/O is never interrupted, the initiator sees each change's unit
/// attention, a refused change changes nothing, and a restart serves the file the changes saved.
/// </summary>
public sealed class LiveChangeTests : IDisposable
{
    private const string TargetName = "iqn.2026-11.io.storlane:live";
    private const string Stays = "iqn.2026-11.io.storlane:stays";
    private const string Goes = "iqn.2026-11.io.storlane:goes";
    private const string Target = "/api/v1/targets/" + TargetName;

    private readonly string _folder = Directory.CreateTempSubdirectory("storlane-live-").FullName;

    private string Config => Path.Combine(_folder, "storlane.yaml");

    private string Socket => Path.Combine(_folder, "api.sock");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task EveryChange_AppliesLive_WithIoUninterrupted_AndARestartServesTheSavedFile()
    {
        await File.WriteAllTextAsync(Config, $"""
            portals:
              - {"{"} address: 127.0.0.1, port: 0 {"}"}
            targets:
              - name: {TargetName}
                allowed-initiators: [{Stays}, {Goes}]
                luns:
                  - {"{"} lun: 0, path: lun0.img, size: 16M {"}"}
            management:
              socket: {Socket}
            """);
        await using (var serve = await ServeProcess.StartAsync(Config, _folder, Socket))
        {
            using var api = ApiHost.UnixClient(Socket, token: null);
            var port = await PortAsync(api);
            await using var session = await IscsiSession.ConnectAsync("127.0.0.1", port, TargetName, new IscsiSessionOptions { InitiatorName = Stays });
            await using var other = await IscsiSession.ConnectAsync("127.0.0.1", port, TargetName, new IscsiSessionOptions { InitiatorName = Goes });
            await using var io = VerifiedIo.Start(session, lun: 0);
            await io.WaitForRoundsAsync(20);

            // Add: every nexus hears REPORTED LUNS DATA HAS CHANGED (3Fh/0Eh) on the LUNs it had.
            await ChangeAsync(api, HttpMethod.Post, Target + "/luns", new { lun = 1, size = "8M", path = "lun1.img" });
            await io.WaitForAttentionAsync(0x3F, 0x0E);

            // Grow and read-only: CAPACITY DATA HAS CHANGED and MODE PARAMETERS CHANGED on LUN 1, then writes end DATA PROTECT.
            Assert.Empty(await Drain(session, 1)); // a unit added after the nexus began starts with no attention for it
            await ChangeAsync(api, HttpMethod.Post, Target + "/luns/1/grow", new { size = "16M" });
            await ChangeAsync(api, HttpMethod.Put, Target + "/luns/1/read-only", new { readOnly = true });
            var pending = await Drain(session, 1);
            Assert.Contains((0x2A, 0x09), pending);
            Assert.Contains((0x2A, 0x01), pending);
            var write = await session.ExecuteAsync(1, ScsiCdb.Write16(0, 1, fua: false), default, new byte[512]);
            Assert.Equal((SenseKey.DataProtect, (byte)0x27), (write.Sense!.Value.Key, write.Sense.Value.Asc));

            // Offline: ASYMMETRIC ACCESS STATE CHANGED, then NOT READY, TARGET PORT IN UNAVAILABLE STATE (04h/0Ch); online again.
            await ChangeAsync(api, HttpMethod.Put, Target + "/luns/1/offline", new { offline = true });
            Assert.Contains((0x2A, 0x06), await Drain(session, 1));
            var offline = await session.ExecuteAsync(1, ScsiCdb.TestUnitReady(), default, default);
            Assert.Equal((SenseKey.NotReady, (byte)0x04, (byte)0x0C), (offline.Sense!.Value.Key, offline.Sense.Value.Asc, offline.Sense.Value.Ascq));
            await ChangeAsync(api, HttpMethod.Put, Target + "/luns/1/offline", new { offline = false });
            Assert.Contains((0x2A, 0x06), await Drain(session, 1));
            Assert.True((await session.ExecuteAsync(1, ScsiCdb.TestUnitReady(), default, default)).IsGood);

            // Reset from management: BUS DEVICE RESET FUNCTION OCCURRED (29h/03h).
            await ChangeAsync(api, HttpMethod.Post, Target + "/luns/1/reset", null);
            Assert.Contains((0x29, 0x03), await Drain(session, 1));

            // ACL: removing one initiator ends its session only.
            await ChangeAsync(api, HttpMethod.Delete, Target + "/acl/" + Goes, null);
            var sessions = await api.GetFromJsonAsync<List<SessionView>>("/api/v1/sessions");
            Assert.Equal([Stays], sessions!.Select(s => s.InitiatorName).ToArray());

            // A refused change changes nothing: not the file, not what is served.
            var before = await File.ReadAllTextAsync(Config);
            using (var refused = await api.PostAsJsonAsync(Target + "/luns", new { lun = 2, size = "8Q", backend = "memory" }))
            {
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                Assert.StartsWith("bad size '8Q'", (await refused.Content.ReadFromJsonAsync<ApiError>())!.Error, StringComparison.Ordinal);
            }

            using (var refused = await api.DeleteAsync(Target + "/acl/" + Stays))
            {
                Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            }

            Assert.Equal(before, await File.ReadAllTextAsync(Config));
            var lunsNow = (await LunsAsync(api)).Select(l => l.Lun).ToArray();
            Assert.Equal(new ulong[] { 0, 1 }, lunsNow);

            // Remove: a memory LUN added and taken away again; the sessions stay.
            await ChangeAsync(api, HttpMethod.Post, Target + "/luns", new { lun = 2, size = "4M", backend = "memory" });
            await ChangeAsync(api, HttpMethod.Delete, Target + "/luns/2", null);
            var removed = await session.ExecuteAsync(2, ScsiCdb.TestUnitReady(), default, default);
            Assert.Equal((SenseKey.IllegalRequest, (byte)0x25), (removed.Sense!.Value.Key, removed.Sense.Value.Asc));

            await io.StopAsync();
            Assert.True(io.Errors.IsEmpty, "the I/O on LUN 0 was interrupted: " + string.Join("; ", io.Errors));
            Assert.True(io.Rounds > 20, $"only {io.Rounds} verified rounds ran");
            Assert.Equal(0, await serve.StopAsync());
            Assert.Contains("Audit: uid", serve.Log, StringComparison.Ordinal);
            Assert.Contains("refused (invalid): bad size '8Q'", serve.Log, StringComparison.Ordinal);
        }

        // The restart serves what ran: LUN 1 grown and read-only, the ACL without the removed initiator.
        Assert.True(File.Exists(Config + ".bak"), "the previous config was kept as a backup");
        await using (var restarted = await ServeProcess.StartAsync(Config, _folder, Socket))
        {
            using var api = ApiHost.UnixClient(Socket, token: null);
            var targets = await api.GetFromJsonAsync<TargetsResponse>("/api/v1/targets");
            var target = Assert.Single(targets!.Targets);
            Assert.Equal([Stays], target.AllowedInitiators);
            Assert.Equal([(0UL, 16L << 20, false), (1UL, 16L << 20, true)], target.Luns.Select(l => (l.Lun, l.SizeBytes, l.ReadOnly)).ToArray());
            Assert.Equal(0, await restarted.StopAsync());
        }
    }

    /// <summary>One change through the API; anything but success fails the test with the answer.</summary>
    internal static async Task ChangeAsync(HttpClient api, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await api.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<int> PortAsync(HttpClient api)
    {
        var targets = await api.GetFromJsonAsync<TargetsResponse>("/api/v1/targets");
        return IPEndPoint.Parse(targets!.Portals[0].Listening[0].Endpoint).Port;
    }

    private static async Task<IReadOnlyList<LunView>> LunsAsync(HttpClient api) =>
        (await api.GetFromJsonAsync<TargetsResponse>("/api/v1/targets"))!.Targets.Single().Luns;

    /// <summary>TEST UNIT READY until no unit attention is left: the ones pending, as ASC/ASCQ.</summary>
    private static async Task<List<(int Asc, int Ascq)>> Drain(IscsiSession session, ulong lun)
    {
        var seen = new List<(int, int)>();
        for (var i = 0; i < 16; i++)
        {
            var result = await session.ExecuteAsync(lun, ScsiCdb.TestUnitReady(), default, default);
            if (!result.IsUnitAttention)
            {
                return seen;
            }

            seen.Add((result.Sense!.Value.Asc, result.Sense.Value.Ascq));
        }

        throw new InvalidOperationException("unit attentions never ran out");
    }
}
