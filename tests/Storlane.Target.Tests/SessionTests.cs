using Microsoft.Extensions.Time.Testing;
using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>Login, discovery, NOP, logout and session reinstatement (RFC 7143 6, 11.10-11.19, Appendix C).</summary>
public class SessionTests
{
    [Fact]
    public async Task Login_AssignsNonZeroTsih_AndDeclaresTargetPortalGroupTag()
    {
        await using var target = await LoopbackTarget.StartAsync();
        var client = PduClient.Connect(target.Server, portal: 1);
        await using var _ = client;
        var keys = await client.LoginAsync(TargetLogin.Initiator, LoopbackTarget.DefaultName);
        Assert.NotEqual(0, client.Tsih);

        // RFC 7143 13.9: TargetPortalGroupTag in the first login response of a normal session.
        Assert.Equal("2", keys["TargetPortalGroupTag"]);
    }

    [Fact]
    public async Task Login_UnknownTarget_FailsWithTargetNotFound()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = PduClient.Connect(target.Server);
        var response = await client.LoginRequestAsync(
            LoginStage.LoginOperationalNegotiation,
            LoginStage.FullFeaturePhase,
            transit: true,
            [("InitiatorName", TargetLogin.Initiator), ("TargetName", "iqn.2026-11.io.storlane:nope"), ("SessionType", "Normal")]);
        Assert.Equal(LoginStatus.TargetNotFound, new Bhs(response.Header).LoginStatus);
        Assert.Null(await client.ReceiveAsync());
    }

    [Fact]
    public async Task Login_InitiatorNotInAcl_FailsWithAuthorizationFailure()
    {
        await using var target = await LoopbackTarget.StartAsync(o => o.Targets[0].AllowedInitiators.Add("iqn.2026-11.io.storlane:someone-else"));
        await using var client = PduClient.Connect(target.Server);
        var response = await client.LoginRequestAsync(
            LoginStage.LoginOperationalNegotiation,
            LoginStage.FullFeaturePhase,
            transit: true,
            [("InitiatorName", TargetLogin.Initiator), ("TargetName", LoopbackTarget.DefaultName), ("SessionType", "Normal")]);
        Assert.Equal(LoginStatus.AuthorizationFailure, new Bhs(response.Header).LoginStatus);
    }

    [Fact]
    public async Task Discovery_SendTargetsAll_ListsTargetWithEveryPortal()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = PduClient.Connect(target.Server);
        await client.LoginAsync(TargetLogin.Initiator, null);
        var text = await client.SendTargetsAsync();

        Assert.Contains("TargetName=" + LoopbackTarget.DefaultName, text, StringComparison.Ordinal);
        foreach (var endpoint in target.Server.BoundEndpoints)
        {
            Assert.Contains($"TargetAddress=127.0.0.1:{endpoint.Port},", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SecondTarget_IsDiscoveredAndServesItsOwnLuns()
    {
        const string second = "iqn.2026-11.io.storlane:second";
        await using var target = await LoopbackTarget.StartAsync(o =>
        {
            var options = new TargetOptions { Name = second };
            options.Luns.Add(new LunOptions { Lun = 3, Backend = LunBackend.Memory, SizeBytes = 1 << 20 });
            o.Targets.Add(options);
        });
        await using var discovery = PduClient.Connect(target.Server);
        await discovery.LoginAsync(TargetLogin.Initiator, null);
        var text = await discovery.SendTargetsAsync();
        Assert.Contains("TargetName=" + LoopbackTarget.DefaultName, text, StringComparison.Ordinal);
        Assert.Contains("TargetName=" + second, text, StringComparison.Ordinal);

        await using var client = PduClient.Connect(target.Server);
        await client.LoginAsync(TargetLogin.Initiator, second);
        Assert.Equal(0, (await client.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 3, 512)).Status);

        // LUN 0 belongs to the first target only: LOGICAL UNIT NOT SUPPORTED here (SPC-4 25h/00h).
        var missing = await client.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512);
        Assert.Equal(0x02, missing.Status);
        Assert.Equal(0x25, missing.Asc);
    }

    [Fact]
    public async Task Discovery_HidesTargetsOutsideTheAcl()
    {
        await using var target = await LoopbackTarget.StartAsync(o => o.Targets[0].AllowedInitiators.Add("iqn.2026-11.io.storlane:someone-else"));
        await using var client = PduClient.Connect(target.Server);
        await client.LoginAsync(TargetLogin.Initiator, null);
        var text = await client.SendTargetsAsync();
        Assert.DoesNotContain("TargetName", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NopOut_WithTag_IsEchoedWithItsData()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync();
        var header = new byte[48];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.NopOut, immediate: true);
        bhs.Final = true;
        bhs.InitiatorTaskTag = 0x1234;
        bhs.TargetTransferTag = Bhs.ReservedTag;
        bhs.CmdSN = client.CmdSN;
        await client.SendAsync(header, new byte[] { 1, 2, 3, 4, 5 });
        var reply = await client.ExpectAsync(Opcode.NopIn);
        Assert.Equal(0x1234u, new Bhs(reply.Header).InitiatorTaskTag);
        Assert.Equal(Bhs.ReservedTag, new Bhs(reply.Header).TargetTransferTag);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, reply.Data);
    }

    [Fact]
    public async Task IdleInitiator_IsPingedWithNopIn()
    {
        var clock = new FakeTimeProvider();
        await using var target = await LoopbackTarget.StartAsync(o => o.NopInIntervalSeconds = 1, time: clock);
        await using var client = await target.LoginAsync();
        var receiving = client.ReceiveAsync(Eventually.DefaultPatience);
        var waited = await clock.AdvanceUntilAsync(receiving, TimeSpan.FromSeconds(1));
        var ping = await receiving;
        Assert.NotNull(ping);
        Assert.True(waited >= TimeSpan.FromSeconds(1), "pinged before the initiator had been idle for the interval");
        var bhs = new Bhs(ping.Header);
        Assert.Equal(Opcode.NopIn, bhs.Opcode);
        Assert.Equal(Bhs.ReservedTag, bhs.InitiatorTaskTag);
        Assert.NotEqual(Bhs.ReservedTag, bhs.TargetTransferTag);
    }

    [Fact]
    public async Task UnansweredPing_ClosesTheConnectionAfterTheTimeout()
    {
        var clock = new FakeTimeProvider();
        await using var target = await LoopbackTarget.StartAsync(
            o =>
            {
                o.NopInIntervalSeconds = 1;
                o.NopInTimeoutSeconds = 1;
            },
            time: clock);
        await using var client = await target.LoginAsync();

        // Never answer the NOP-In: a dead peer must not hold its session.
        var receiving = client.ReceiveAsync(Eventually.DefaultPatience);
        var idle = await clock.AdvanceUntilAsync(receiving, TimeSpan.FromSeconds(1));
        Assert.Equal(Opcode.NopIn, (await receiving)!.Opcode);
        var closing = client.ReceiveAsync(Eventually.DefaultPatience);
        var unanswered = await clock.AdvanceUntilAsync(closing, TimeSpan.FromSeconds(1));
        Assert.Null(await closing);

        // The ping goes out after 1 s of silence and its answer then has 1 s more.
        Assert.True(idle + unanswered > TimeSpan.FromSeconds(2), $"closed {idle + unanswered} after login, before the ping's 1 s timeout had run");
        Assert.Equal(0, target.Server.SessionCount);
    }

    [Fact]
    public async Task AnsweredPing_KeepsTheConnection()
    {
        // A new ping goes out only once the last one was answered, so three pings are three answers
        // the target counted; the timeout is long enough that a slow test thread cannot step past it.
        var clock = new FakeTimeProvider();
        await using var target = await LoopbackTarget.StartAsync(
            o =>
            {
                o.NopInIntervalSeconds = 1;
                o.NopInTimeoutSeconds = 5;
            },
            time: clock);
        await using var client = await target.LoginAsync();
        for (var i = 0; i < 3; i++)
        {
            var receiving = client.ReceiveAsync(Eventually.DefaultPatience);
            await clock.AdvanceUntilAsync(receiving, TimeSpan.FromSeconds(1));
            var ping = await receiving;
            var pingBhs = new Bhs(ping!.Header);
            var header = new byte[48];
            var answer = new Bhs(header);
            answer.Initialize(Opcode.NopOut, immediate: true);
            answer.Final = true;
            answer.InitiatorTaskTag = Bhs.ReservedTag;
            answer.TargetTransferTag = pingBhs.TargetTransferTag;
            answer.CmdSN = client.CmdSN;
            await client.SendAsync(header);
        }

        Assert.Equal(0, (await client.ReadAsync(ScsiCdb.Inquiry(null, 96).ToArray(), 0, 96)).Status);
    }

    [Fact]
    public async Task Logout_IsAnsweredThenTheConnectionCloses()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync();
        await client.SendAsync(CloseSessionLogout(client));
        var response = await client.ExpectAsync(Opcode.LogoutResponse);
        Assert.Equal(0, new Bhs(response.Header).Byte2);
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(0, target.Server.SessionCount);
    }

    [Fact]
    public async Task Logout_EndsTheNexusBeforeItIsAnswered_SoItsReservationIsGoneForTheNextCommand()
    {
        // RFC 7143 11.14: the Logout Response follows the cleanup; an I_T nexus loss releases a
        // RESERVE(6) reservation (SPC-4 5.12.1, legacy). libiscsi logs a second session out and at once
        // sends its next command on the first (Sanitize.Reservations, then Sanitize.Reset).
        await using var target = await LoopbackTarget.StartAsync();
        await using var holder = await target.LoginAsync();
        await using var other = PduClient.Connect(target.Server);
        await other.LoginAsync("iqn.2026-11.io.storlane:other-host", LoopbackTarget.DefaultName);
        Assert.Equal(0, (await holder.ReadAsync([0x16, 0, 0, 0, 0, 0], 0, 0)).Status);
        Assert.Equal(0x18, (await other.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512)).Status);

        await holder.SendAsync(CloseSessionLogout(holder));
        await holder.ExpectAsync(Opcode.LogoutResponse);

        Assert.Equal(1, target.Server.SessionCount);
        Assert.Equal(0, (await other.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512)).Status);
    }

    [Fact]
    public async Task LoginWithIsidOfLiveSession_ReinstatesIt()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var first = await target.LoginAsync();
        var second = PduClient.Connect(target.Server);
        await using var _ = second;
        second.Isid = first.Isid;
        await second.LoginAsync(TargetLogin.Initiator, LoopbackTarget.DefaultName);

        // RFC 7143 6.3.5: same initiator, ISID and target with TSIH 0 closes the old session.
        Assert.Null(await first.ReceiveAsync());
        var result = await second.ReadAsync(ScsiCdb.Inquiry(null, 96).ToArray(), 0, 96);
        Assert.Equal(0, result.Status);
        Assert.Equal(1, target.Server.SessionCount);
    }

    /// <summary>A Logout Request, reason "close the session" (RFC 7143 11.14.1), sent immediate.</summary>
    internal static byte[] CloseSessionLogout(PduClient client)
    {
        var header = new byte[48];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.LogoutRequest, immediate: true);
        bhs.Flags = 0x80;
        bhs.InitiatorTaskTag = client.NextItt++;
        bhs.CmdSN = client.CmdSN;
        return header;
    }
}
