using System.Net;
using System.Net.Http.Json;
using Storlane.Initiator;
using Storlane.Initiator.Session;
using Storlane.Iscsi.Chap;
using Storlane.Protocol.Scsi;
using Storlane.Target.Observability;

namespace Storlane.Management.Tests;

/// <summary>
/// The CHAP and portal change endpoints against a real <c>storlane serve</c>, while a session logged
/// in with the first secret runs verified I/O: a new secret applies to new logins only (RFC 7143
/// 12.1.3: CHAP authenticates at login, so a session already in Full Feature Phase is not
/// re-examined), and a portal added answers logins while one removed stops taking new ones.
/// </summary>
public sealed class LiveChapAndPortalTests : IDisposable
{
    private const string TargetName = "iqn.2026-11.io.storlane:chap";
    private const string Target = "/api/v1/targets/" + TargetName;
    private const string User = "alice";
    private const string OldSecret = "old-secret-0123";
    private const string NewSecret = "new-secret-4567";

    private readonly string _folder = Directory.CreateTempSubdirectory("storlane-chap-").FullName;

    private string Config => Path.Combine(_folder, "storlane.yaml");

    private string Socket => Path.Combine(_folder, "api.sock");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ChapChange_AppliesToNewLogins_AndPortalsComeAndGo_WithIoUninterrupted()
    {
        await File.WriteAllTextAsync(Config, $"""
            portals:
              - {"{"} address: 127.0.0.1, port: 0 {"}"}
            targets:
              - name: {TargetName}
                chap: {"{"} user: {User}, secret: {OldSecret} {"}"}
                luns:
                  - {"{"} lun: 0, path: lun0.img, size: 16M {"}"}
            management:
              socket: {Socket}
            """);
        await using var serve = await ServeProcess.StartAsync(Config, _folder, Socket);
        using var api = ApiHost.UnixClient(Socket, token: null);
        var port = await PortOfAsync(api, "127.0.0.1");
        await using var session = await LoginAsync("127.0.0.1", port, OldSecret);
        await using var io = VerifiedIo.Start(session, lun: 0);
        await io.WaitForRoundsAsync(10);

        // A new secret: the old one no longer logs in, the new one does, the running session stays.
        await LiveChangeTests.ChangeAsync(api, HttpMethod.Put, Target + "/chap", new { user = User, secret = NewSecret });
        await Assert.ThrowsAsync<IscsiLoginException>(async () => await (await LoginAsync("127.0.0.1", port, OldSecret)).DisposeAsync());
        await (await LoginAsync("127.0.0.1", port, NewSecret)).DisposeAsync();

        // CHAP off: a login without credentials is let in.
        await LiveChangeTests.ChangeAsync(api, HttpMethod.Delete, Target + "/chap", null);
        await (await LoginAsync("127.0.0.1", port, secret: null)).DisposeAsync();

        // A portal added listens at once; a session through it survives its removal, new logins do not get in.
        await LiveChangeTests.ChangeAsync(api, HttpMethod.Post, "/api/v1/portals", new { address = "127.0.0.2", port = 0, group = 1 });
        var added = await PortOfAsync(api, "127.0.0.2");
        await using var throughAdded = await LoginAsync("127.0.0.2", added, secret: null);
        await LiveChangeTests.ChangeAsync(api, HttpMethod.Delete, "/api/v1/portals/127.0.0.2/0", null);
        var portals = (await api.GetFromJsonAsync<TargetsResponse>("/api/v1/targets"))!.Portals;
        Assert.DoesNotContain(portals, p => p.Address == "127.0.0.2");
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await LoginAsync("127.0.0.2", added, secret: null)).DisposeAsync());
        Assert.True(await ReadyAsync(throughAdded), "the session through the removed portal was dropped");

        await io.StopAsync();
        Assert.True(io.Errors.IsEmpty, "the I/O of the first session was interrupted: " + string.Join("; ", io.Errors));
        Assert.Equal(0, await serve.StopAsync());
        Assert.DoesNotContain(NewSecret, serve.Log, StringComparison.Ordinal);
    }

    /// <summary>TEST UNIT READY past any unit attention the new nexus starts with: GOOD in the end.</summary>
    private static async Task<bool> ReadyAsync(IscsiSession session)
    {
        for (var i = 0; i < 8; i++)
        {
            var result = await session.ExecuteAsync(0, ScsiCdb.TestUnitReady(), default, default);
            if (!result.IsUnitAttention)
            {
                return result.IsGood;
            }
        }

        return false;
    }

    private static Task<IscsiSession> LoginAsync(string address, int port, string? secret) =>
        IscsiSession.ConnectAsync(address, port, TargetName, new IscsiSessionOptions
        {
            Chap = secret is null ? null : new ChapCredential(User, secret),
            LoginTimeout = TimeSpan.FromSeconds(5),
        });

    private static async Task<int> PortOfAsync(HttpClient api, string address)
    {
        var targets = await api.GetFromJsonAsync<TargetsResponse>("/api/v1/targets");
        var portal = targets!.Portals.Single(p => p.Address == address);
        return IPEndPoint.Parse(Assert.Single(portal.Listening).Endpoint).Port;
    }
}
