using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Storlane.Initiator.Scsi;
using Storlane.Initiator.Session;
using Storlane.Initiator.Tests.Support;
using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Initiator;
using Storlane.Protocol.Scsi;
using Storlane.Target;
using Storlane.TestSupport;

namespace Storlane.Initiator.Tests;

/// <summary>The session layer against Storlane's own target on loopback.</summary>
public class SessionTests
{
    [Fact]
    public async Task Discovery_SendTargets_ListsTheTargetAndBothPortals()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var session = await IscsiSession.ConnectDiscoveryAsync("127.0.0.1", target.Port);
        var targets = await session.SendTargetsAsync();
        var found = Assert.Single(targets);
        Assert.Equal(LoopbackTarget.DefaultName, found.Name);
        Assert.Contains(found.Portals, p => p.Port == target.Port && p.PortalGroupTag == 1);
        Assert.Contains(found.Portals, p => p.Port == target.SecondPort && p.PortalGroupTag == 2);
    }

    [Fact]
    public async Task Login_ReportsNegotiatedParametersAndPortalGroup()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.SecondPort, LoopbackTarget.DefaultName);
        Assert.NotEqual(0, session.Tsih);
        Assert.Equal(2, session.TargetPortalGroupTag);
        Assert.False(session.Parameters.InitialR2T);
        Assert.True(session.Parameters.ImmediateData);
        Assert.Equal(0, session.Parameters.ErrorRecoveryLevel);
        Assert.Equal(1, session.Parameters.MaxConnections);
    }

    [Fact]
    public async Task Login_UnknownTarget_ThrowsWithTargetNotFound()
    {
        await using var target = await LoopbackTarget.StartAsync();
        var error = await Assert.ThrowsAsync<IscsiLoginException>(() => IscsiSession.ConnectAsync("127.0.0.1", target.Port, "iqn.2026-11.io.storlane:nope"));
        Assert.Equal(Iscsi.LoginStatus.TargetNotFound, error.Status);
    }

    [Fact]
    public async Task Connect_NothingListening_ThrowsTransportError()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await Assert.ThrowsAsync<IscsiTransportException>(() => IscsiSession.ConnectAsync("127.0.0.1", port, LoopbackTarget.DefaultName));
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, false, false)]
    public async Task Chap_RightSecretLogsInWrongSecretIsRefused(bool right, bool mutual, bool mutualRight)
    {
        await using var target = await LoopbackTarget.StartAsync((_, t) =>
        {
            t.Chap = new ChapOptions { User = ChapAccounts.User, Secret = ChapAccounts.Secret };
            t.MutualChap = new ChapOptions { User = ChapAccounts.MutualUser, Secret = ChapAccounts.MutualSecret };
        });
        var options = new IscsiSessionOptions
        {
            Chap = new ChapCredential(ChapAccounts.User, right ? ChapAccounts.Secret : "not-the-secret"),
            MutualChap = mutual ? new ChapCredential(ChapAccounts.MutualUser, mutualRight ? ChapAccounts.MutualSecret : "wrong-target-secret") : null,
        };
        if (right)
        {
            await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName, options);
            Assert.True(session.IsConnected);
        }
        else
        {
            var error = await Assert.ThrowsAsync<IscsiLoginException>(() => IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName, options));
            Assert.Equal(Iscsi.LoginStatus.AuthenticationFailure, error.Status);
        }
    }

    [Fact]
    public async Task MutualChap_TargetWithWrongSecret_IsRefusedByTheInitiator()
    {
        await using var target = await LoopbackTarget.StartAsync((_, t) =>
        {
            t.Chap = new ChapOptions { User = ChapAccounts.User, Secret = ChapAccounts.Secret };
            t.MutualChap = new ChapOptions { User = ChapAccounts.MutualUser, Secret = ChapAccounts.MutualSecret };
        });
        var options = new IscsiSessionOptions
        {
            Chap = new ChapCredential(ChapAccounts.User, ChapAccounts.Secret),
            MutualChap = new ChapCredential(ChapAccounts.MutualUser, "a-different-secret"),
        };
        var error = await Assert.ThrowsAsync<IscsiLoginException>(() => IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName, options));
        Assert.Equal(Iscsi.LoginStatus.AuthenticationFailure, error.Status);
        Assert.Contains("mutual", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chap_TargetRequiresItAndInitiatorHasNone_IsRefused()
    {
        await using var target = await LoopbackTarget.StartAsync((_, t) => t.Chap = new ChapOptions { User = ChapAccounts.User, Secret = ChapAccounts.Secret });
        await Assert.ThrowsAsync<IscsiLoginException>(() => IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName));
    }

    [Fact]
    public async Task Pipelined_ManyCommandsWithSmallWindow_AllCompleteAndWindowIsRespected()
    {
        await using var target = await LoopbackTarget.StartAsync((o, _) => o.CommandWindow = 2);
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName);
        var buffers = Enumerable.Range(0, 64).Select(_ => new byte[4096]).ToArray();
        var maxWindow = 0;
        var reads = buffers.Select((b, i) => session.ExecuteAsync(0, ScsiCdb.Read16((ulong)i * 8, 8), b, default).AsTask()).ToArray();
        maxWindow = Math.Max(maxWindow, session.WindowAvailable);
        var results = await Task.WhenAll(reads);
        Assert.All(results, r => Assert.True(r.IsGood));
        Assert.InRange(maxWindow, 0, 2);
        Assert.Equal(0, session.Statistics.Outstanding);
        Assert.Equal(64, session.Statistics.Completed);
    }

    [Fact]
    public async Task Ping_IsAnsweredWithALatency()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName);
        var latency = await session.PingAsync(TimeSpan.FromSeconds(5));
        Assert.True(latency > TimeSpan.Zero);
    }

    [Fact]
    public async Task TargetPings_AreAnsweredSoTheSessionStaysUp()
    {
        // The target's clock is stepped a second at a time: it pings once the session has been idle
        // a second, and pings again only once its last ping was answered (else it drops the session
        // when the timeout has run, long enough here that a slow test thread cannot step past it).
        // Three pings that reached the initiator are three answers the target took.
        var clock = new FakeTimeProvider();
        await using var target = await LoopbackTarget.StartAsync(new LoopbackTargetOptions { Time = clock, Configure = (o, _) => { o.NopInIntervalSeconds = 1; o.NopInTimeoutSeconds = 5; } });
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName, new IscsiSessionOptions { KeepaliveInterval = TimeSpan.Zero });
        for (var ping = 0; ping < 3; ping++)
        {
            var asked = Stopwatch.GetTimestamp();
            await clock.AdvanceUntilAsync(() => session.ReceiveSilence < Stopwatch.GetElapsedTime(asked) || !session.IsConnected, TimeSpan.FromSeconds(1));
            Assert.True(session.IsConnected, $"the target dropped the session after {ping} answered pings");
        }

        var result = await session.ExecuteAsync(0, ScsiCdb.TestUnitReady(), default, default);
        Assert.True(result.IsGood || result.IsUnitAttention);
    }

    [Fact]
    public async Task CheckCondition_IsAResultWithSense()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName);
        await session.ExecuteAsync(0, ScsiCdb.TestUnitReady(), default, default); // consumes the power-on unit attention
        var buffer = new byte[512];
        var result = await session.ExecuteAsync(0, ScsiCdb.Read16(1UL << 40, 1), buffer, default);
        Assert.Equal(ScsiStatus.CheckCondition, result.Status);
        Assert.Equal(SenseKey.IllegalRequest, result.Sense?.Key);
        Assert.Equal((byte)0x21, result.Sense?.Asc); // LOGICAL BLOCK ADDRESS OUT OF RANGE
        Assert.Throws<ScsiCommandException>(result.ThrowIfFailed);
    }

    [Fact]
    public async Task Logout_EndsTheSessionAndLaterCommandsFailAsTransportErrors()
    {
        await using var target = await LoopbackTarget.StartAsync();
        var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName);
        await session.LogoutAsync();
        Assert.False(session.IsConnected);
        Assert.IsType<IscsiTransportException>(await session.Terminated);
        await Assert.ThrowsAsync<IscsiTransportException>(async () => await session.ExecuteAsync(0, ScsiCdb.TestUnitReady(), default, default));
        await session.DisposeAsync();
    }

    [Fact]
    public async Task Drop_ResetsTheConnection_SoNothingItStillQueuedCanReachTheTargetLater()
    {
        // A dropped session's commands are reissued on another path at once. An orderly close (FIN)
        // would leave its unsent bytes in the kernel's queue, to be delivered (a stale WRITE among
        // them) once a pulled cable is back; a reset discards them.
        await using var target = await LoopbackTarget.StartAsync();
        await using var proxy = new Multipath.LoopbackProxy(target.Port);
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", proxy.Port, LoopbackTarget.DefaultName);
        session.Drop("test");
        Assert.False(session.IsConnected);
        await Eventually.TrueAsync(() => proxy.ClientResets.Count == 1);
        Assert.True(proxy.ClientResets[0], "the dropped connection was closed in order (FIN), not reset");
    }

    [Fact]
    public async Task Logout_ClosesTheConnectionInOrder()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var proxy = new Multipath.LoopbackProxy(target.Port);
        var session = await IscsiSession.ConnectAsync("127.0.0.1", proxy.Port, LoopbackTarget.DefaultName);
        await session.LogoutAsync();
        await session.DisposeAsync();
        await Eventually.TrueAsync(() => proxy.ClientResets.Count == 1);
        Assert.False(proxy.ClientResets[0], "a logged-out connection was reset");
    }

    [Fact]
    public async Task TargetStops_OutstandingAndNewCommandsFailAsTransportErrors()
    {
        var target = await LoopbackTarget.StartAsync();
        var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName);
        await target.DisposeAsync();
        var reason = await session.Terminated.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.IsType<IscsiTransportException>(reason);
        await Assert.ThrowsAsync<IscsiTransportException>(async () => await session.ExecuteAsync(0, ScsiCdb.TestUnitReady(), default, default));
        await session.DisposeAsync();
    }

    [Fact]
    public async Task TaskManagement_LunResetAndAbortOfUnknownTask_Complete()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName);
        await session.LogicalUnitResetAsync(0);
        await session.AbortTaskAsync(0, 0x00FF_0001, 1);
        Assert.True(session.IsConnected);
    }

    [Fact]
    public async Task Cancellation_BeforeSend_ThrowsAndSessionKeepsWorking()
    {
        await using var target = await LoopbackTarget.StartAsync((o, _) => o.CommandWindow = 1);
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName);
        using var cts = new CancellationTokenSource();
        var buffers = Enumerable.Range(0, 32).Select(_ => new byte[1 << 16]).ToArray();
        var tasks = buffers.Select((b, i) => session.ExecuteAsync(0, ScsiCdb.Read16((ulong)i * 128, 128), b, default, i % 2 == 0 ? cts.Token : default).AsTask()).ToArray();
        cts.Cancel();
        foreach (var (task, i) in tasks.Select((t, i) => (t, i)))
        {
            if (i % 2 == 0)
            {
                try
                {
                    await task;
                }
                catch (OperationCanceledException)
                {
                    // Expected for those still queued or in flight.
                }
            }
            else
            {
                await task;
            }
        }

        var after = await session.ExecuteAsync(0, ScsiCdb.Read16(0, 1), new byte[512], default);
        Assert.True(after.IsGood || after.IsUnitAttention);
        for (var i = 0; i < 50 && session.Statistics.Outstanding != 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, session.Statistics.Outstanding);
    }
}
