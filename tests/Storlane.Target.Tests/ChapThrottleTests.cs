using Storlane.Iscsi;
using Storlane.Target.Sessions;
using Storlane.Target.Tests.Support;

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

    [Fact]
    public async Task WrongSecrets_OverTcp_AreSlowedExponentially_WithoutHoldingUpOtherSessions()
    {
        await using var fixture = await TargetFixture.StartAsync(options => options.Targets[0].Chap = new ChapOptions { User = User, Secret = Secret });
        var portal = fixture.Server.BoundEndpoints[0];
        await using var discovery = PduClient.Connect(fixture.Server);
        await discovery.LoginAsync(TargetFixture.Initiator, null);

        // The rule: attempt n waits DelayAfter(n) before its answer, so n attempts take at least the sum.
        const int attempts = AuthFailureThrottle.FreeFailures + 4;
        var owed = TimeSpan.Zero;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var n = 1; n <= attempts; n++)
        {
            Assert.Equal(LoginStatus.AuthenticationFailure, await SocketChapLogin.AttemptAsync(portal, Initiator, TargetFixture.TargetName, User, "wrong-secret-" + n));
            owed += AuthFailureThrottle.DelayAfter(n);
        }

        Assert.True(clock.Elapsed >= owed, $"{attempts} wrong secrets took {clock.Elapsed.TotalMilliseconds:F0} ms; the throttle owes at least {owed.TotalMilliseconds:F0} ms");

        // The next failure is held back for 1.6 s; meanwhile the target serves other sessions, and a
        // guess from the same initiator (even the right secret) is refused without being checked.
        var held = SocketChapLogin.AttemptAsync(portal, Initiator, TargetFixture.TargetName, User, "wrong-secret-x");
        await WaitUntilAsync(() => fixture.Server.AuthThrottle!.RetryAfter(Initiator, null) > TimeSpan.Zero);
        Assert.Contains(TargetFixture.TargetName, await discovery.SendTargetsAsync(), StringComparison.Ordinal);
        Assert.False(held.IsCompleted, "the held-back failure was answered before another session's SendTargets");
        Assert.Equal(LoginStatus.ServiceUnavailable, await SocketChapLogin.AttemptAsync(portal, Initiator, TargetFixture.TargetName, User, Secret));
        Assert.Equal(LoginStatus.AuthenticationFailure, await held);

        // Once the delay has passed, the right secret logs in.
        Assert.Equal(LoginStatus.Success, await SocketChapLogin.AttemptAsync(portal, Initiator, TargetFixture.TargetName, User, Secret));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the held-back failure never reached the throttle");
            await Task.Delay(5);
        }
    }
}
