using System.Net;
using System.Net.Sockets;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests.Portals;

/// <summary>
/// Portals follow the host's network while the target runs: the seed's Windows target kept a stale
/// adapter list until a reboot; this one opens and closes listeners as addresses come and go, and
/// SendTargets (RFC 7143 13.8 TargetAddress) reports what listens now.
/// </summary>
public sealed class LivePortalTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WildcardPortal_ListensOnAnAddressThatAppearsAfterStart_AndStopsWhenItGoes()
    {
        var host = new FakeAddressSource("127.0.0.21");
        await using var target = await LoopbackTarget.StartAsync(Wildcard, host);
        var first = Assert.Single(target.Server.BoundEndpoints);
        Assert.Equal(IPAddress.Parse("127.0.0.21"), first.Address);

        host.Set("127.0.0.21", "127.0.0.22");
        var second = Assert.Single(target.Server.BoundEndpoints, e => e.Address.Equals(IPAddress.Parse("127.0.0.22")));
        Assert.True(await AcceptsAsync(second), "a listener for the new address accepts connections");

        host.Set("127.0.0.22");
        Assert.DoesNotContain(target.Server.BoundEndpoints, e => e.Address.Equals(first.Address));
        Assert.False(await AcceptsAsync(first), "the removed address no longer accepts connections");
        Assert.True(await AcceptsAsync(second));
    }

    [Fact]
    public async Task SendTargets_ReportsThePortalsListeningNow()
    {
        var host = new FakeAddressSource("127.0.0.23");
        await using var target = await LoopbackTarget.StartAsync(Wildcard, host);
        host.Set("127.0.0.24");
        var now = Assert.Single(target.Server.BoundEndpoints);

        await using var client = PduClient.Connect(target.Server);
        await client.LoginAsync(TargetLogin.Initiator, null);
        var text = await client.SendTargetsAsync();

        Assert.Contains($"TargetAddress=127.0.0.24:{now.Port},7", text, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.23", text, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0.0.0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiteralAddressNotOnTheHost_WaitsInsteadOfFailingTheStart()
    {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to this machine.
        await using var target = await LoopbackTarget.StartAsync(o => o.Portals.Add(new PortalOptions { Address = "192.0.2.77", Port = 3260, Group = 1 }));

        Assert.Equal(1, target.Server.WaitingPortals);
        Assert.DoesNotContain(target.Server.BoundEndpoints, e => e.Address.Equals(IPAddress.Parse("192.0.2.77")));
        Assert.True(await AcceptsAsync(target.Server.BoundEndpoints[0]), "the other portals serve meanwhile");
    }

    [Fact]
    public async Task PortInUse_StillFailsTheStart_WithThePortalNamed()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.25"), 0));
        squatter.Listen();
        var taken = (IPEndPoint)squatter.LocalEndPoint!;

        var error = await Assert.ThrowsAsync<TargetStartException>(() => LoopbackTarget.StartAsync(o =>
        {
            o.Portals.Clear();
            o.Portals.Add(new PortalOptions { Address = "127.0.0.25", Port = taken.Port });
        }));

        Assert.Contains($"portal 127.0.0.25:{taken.Port}: cannot listen (AddressAlreadyInUse", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdatePortals_AddsAndRemovesListeners_WithoutDroppingEstablishedSessions()
    {
        await using var target = await LoopbackTarget.StartAsync(o =>
        {
            o.Portals.Clear();
            o.Portals.Add(new PortalOptions { Address = "127.0.0.26", Port = 0, Group = 1 });
        });
        var old = Assert.Single(target.Server.BoundEndpoints);
        using var established = new TcpClient();
        await established.ConnectAsync(old);

        var failures = target.Server.UpdatePortals([new PortalOptions { Address = "127.0.0.27", Port = 0, Group = 1 }]);

        Assert.Empty(failures);
        var replacement = Assert.Single(target.Server.BoundEndpoints);
        Assert.Equal(IPAddress.Parse("127.0.0.27"), replacement.Address);
        Assert.True(await AcceptsAsync(replacement));
        Assert.False(await AcceptsAsync(old));

        // The connection accepted before the change is still served: a login on it succeeds.
        var login = LoginPdu();
        await established.GetStream().WriteAsync(login);
        var answer = new byte[48];
        await established.GetStream().ReadExactlyAsync(answer).AsTask().WaitAsync(Patience);
        Assert.Equal(0x23, answer[0] & 0x3F); // Login Response
    }

    [Fact]
    public async Task UpdatePortals_RefusesAPortalGroupTheTargetDidNotStartWith()
    {
        await using var target = await LoopbackTarget.StartAsync();

        var error = Assert.Throws<ArgumentException>(() => target.Server.UpdatePortals([new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 9 }]));

        Assert.Contains("portal group 9", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, target.Server.BoundEndpoints.Count);
    }

    private static void Wildcard(TargetServerOptions options)
    {
        options.Portals.Clear();
        options.Portals.Add(new PortalOptions { Address = "0.0.0.0", Port = 0, Group = 7 });
    }

    private static async Task<bool> AcceptsAsync(IPEndPoint endpoint)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(endpoint).WaitAsync(Patience);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A discovery Login Request (RFC 7143 11.12) with the keys a discovery session needs.</summary>
    private static byte[] LoginPdu()
    {
        var data = PduClient.EncodeKeys([("InitiatorName", TargetLogin.Initiator), ("SessionType", "Discovery"), ("AuthMethod", "None")]);
        var padded = (data.Length + 3) & ~3;
        var pdu = new byte[48 + padded];
        pdu[0] = 0x43; // immediate, Login Request
        pdu[1] = 0x81; // T=1, CSG=0 (security), NSG=1 (operational)
        pdu[5] = (byte)(data.Length >> 16);
        pdu[6] = (byte)(data.Length >> 8);
        pdu[7] = (byte)data.Length;
        pdu[8] = 0x80; // ISID type: random
        pdu[13] = 0x01; // ISID qualifier
        data.CopyTo(pdu, 48);
        return pdu;
    }
}
