using Microsoft.Extensions.Time.Testing;
using Storlane.Iscsi;
using Storlane.Target.Sessions;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>
/// Wrong CHAP secrets over a real TCP connection are slowed (the probe had made 1,000 guesses in
/// 0.7 s): the Login Response of each failure past the free ones is held back, doubling, without
/// holding up anything else the target does; a guess while one is held back is refused unchecked.
/// </summary>
public sealed class ChapThrottleTests
{
    private const string User = "alice";
    private const string Secret = "0123456789ab";
    private const string Initiator = "iqn.1994-05.com.example:guesser";

    /// <summary>The fake clock's step: the first delay, so a delay is never overshot by more than one.</summary>
    private static readonly TimeSpan Step = AuthFailureThrottle.FirstDelay;

    [Fact]
    public async Task WrongSecrets_OverTcp_AreSlowedExponentially_WithoutHoldingUpOtherSessions()
    {
        var clock = new FakeTimeProvider();
        await using var fixture = await LoopbackTarget.StartAsync(options => options.Targets[0].Chap = new ChapOptions { User = User, Secret = Secret }, time: clock);
        var portal = fixture.Server.BoundEndpoints[0];
        await using var discovery = PduClient.Connect(fixture.Server);
        await discovery.LoginAsync(TargetLogin.Initiator, null);

        // The rule: attempt n waits DelayAfter(n) on the target's clock before its answer.
        const int attempts = AuthFailureThrottle.FreeFailures + 4;
        for (var n = 1; n <= attempts; n++)
        {
            var attempt = SocketChapLogin.AttemptAsync(portal, Initiator, LoopbackTarget.DefaultName, User, "wrong-secret-" + n);
            var waited = await clock.AdvanceUntilAsync(attempt, Step);
            Assert.Equal(LoginStatus.AuthenticationFailure, await attempt);
            Assert.True(waited >= AuthFailureThrottle.DelayAfter(n), $"wrong secret {n} was answered after {waited.TotalMilliseconds:F0} ms; the throttle owes {AuthFailureThrottle.DelayAfter(n).TotalMilliseconds:F0} ms");
        }

        // The next failure is held back for 1.6 s; meanwhile the target serves other sessions, and a
        // guess from the same initiator (even the right secret) is refused without being checked.
        var held = SocketChapLogin.AttemptAsync(portal, Initiator, LoopbackTarget.DefaultName, User, "wrong-secret-x");
        await Eventually.TrueAsync(() => fixture.Server.AuthThrottle!.RetryAfter(Initiator, null) > TimeSpan.Zero, what: "the held-back failure reaching the throttle");
        Assert.Contains(LoopbackTarget.DefaultName, await discovery.SendTargetsAsync(), StringComparison.Ordinal);
        Assert.False(held.IsCompleted, "the held-back failure was answered before another session's SendTargets");
        Assert.Equal(LoginStatus.ServiceUnavailable, await SocketChapLogin.AttemptAsync(portal, Initiator, LoopbackTarget.DefaultName, User, Secret));
        await clock.AdvanceUntilAsync(held, Step);
        Assert.Equal(LoginStatus.AuthenticationFailure, await held);

        // Once the delay has passed, the right secret logs in.
        Assert.Equal(LoginStatus.Success, await SocketChapLogin.AttemptAsync(portal, Initiator, LoopbackTarget.DefaultName, User, Secret));
    }
}
