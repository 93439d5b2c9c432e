using System.Net;
using Microsoft.Extensions.Time.Testing;
using Storlane.Target.Sessions;

namespace Storlane.Target.Tests.Sessions;

/// <summary>The policy of <see cref="AuthFailureThrottle"/> on a fake clock: free tries, doubling, cap, decay, bounded memory.</summary>
public sealed class AuthFailureThrottleTests
{
    private const string Initiator = "iqn.1994-05.com.example:attacker";
    private static readonly IPAddress Address = IPAddress.Parse("192.0.2.7");

    [Fact]
    public void FirstFailures_AreFree_ThenTheDelayDoublesFrom100MsToTheCap()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var throttle = new AuthFailureThrottle(clock);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < AuthFailureThrottle.FreeFailures + 8; i++)
        {
            var failure = throttle.RecordFailure(Initiator, Address);
            Assert.Equal(i + 1, failure.InitiatorFailures);
            Assert.Equal(i + 1, failure.AddressFailures);
            delays.Add(failure.Delay);
            clock.Advance(failure.Delay);
        }

        var free = Enumerable.Repeat(TimeSpan.Zero, AuthFailureThrottle.FreeFailures);
        var doubling = new[] { 100, 200, 400, 800, 1600, 3200, 5000, 5000 }.Select(ms => TimeSpan.FromMilliseconds(ms));
        Assert.Equal(free.Concat(doubling), delays);
        Assert.Equal(TimeSpan.FromSeconds(5), AuthFailureThrottle.MaxDelay);
    }

    [Fact]
    public void WhileTheDelayRuns_FurtherAttemptsWait_AndAfterItTheyMayTry()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var throttle = new AuthFailureThrottle(clock);
        Fail(throttle, AuthFailureThrottle.FreeFailures);
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter(Initiator, Address));

        var failure = throttle.RecordFailure(Initiator, Address);
        Assert.Equal(TimeSpan.FromMilliseconds(100), failure.Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(100), throttle.RetryAfter(Initiator, Address));

        clock.Advance(TimeSpan.FromMilliseconds(60));
        Assert.Equal(TimeSpan.FromMilliseconds(40), throttle.RetryAfter(Initiator, Address));

        clock.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter(Initiator, Address));
    }

    [Fact]
    public void InitiatorAndAddress_AreCountedApart_AndTheLongerDelayApplies()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var throttle = new AuthFailureThrottle(clock);

        // Random names from one address: each name is new, the address is not.
        AuthFailure last = default;
        for (var i = 0; i < 6; i++)
        {
            last = throttle.RecordFailure("iqn.1994-05.com.example:random" + i, Address);
            clock.Advance(last.Delay);
        }

        Assert.Equal(1, last.InitiatorFailures);
        Assert.Equal(6, last.AddressFailures);
        Assert.Equal(TimeSpan.FromMilliseconds(400), last.Delay);

        // One name from many addresses: the name is throttled.
        for (var i = 0; i < 6; i++)
        {
            last = throttle.RecordFailure(Initiator, IPAddress.Parse("198.51.100." + (i + 1)));
            clock.Advance(last.Delay);
        }

        Assert.Equal(6, last.InitiatorFailures);
        Assert.Equal(1, last.AddressFailures);
        Assert.Equal(TimeSpan.FromMilliseconds(400), last.Delay);
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("iqn.1994-05.com.example:someone-else", IPAddress.Parse("203.0.113.1")));
    }

    [Fact]
    public void AfterAQuietPeriod_TheCountStartsAgain()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var throttle = new AuthFailureThrottle(clock);
        Fail(throttle, AuthFailureThrottle.FreeFailures + 3);

        clock.Advance(AuthFailureThrottle.QuietPeriod);
        var failure = throttle.RecordFailure(Initiator, Address);

        Assert.Equal(1, failure.InitiatorFailures);
        Assert.Equal(1, failure.AddressFailures);
        Assert.Equal(TimeSpan.Zero, failure.Delay);
    }

    [Fact]
    public void Success_ForgetsTheInitiatorsFailures_NotTheAddresss()
    {
        // A valid login of another initiator from the same address must not let an attacker reset its count.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var throttle = new AuthFailureThrottle(clock);
        Fail(throttle, AuthFailureThrottle.FreeFailures + 2);

        throttle.RecordSuccess(Initiator);
        clock.Advance(AuthFailureThrottle.MaxDelay);
        var failure = throttle.RecordFailure(Initiator, Address);

        Assert.Equal(1, failure.InitiatorFailures);
        Assert.Equal(AuthFailureThrottle.FreeFailures + 3, failure.AddressFailures);
    }

    [Fact]
    public void RandomInitiatorNames_DoNotGrowTheTableBeyondItsCapacity_AndTheBusiestEntriesStay()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var throttle = new AuthFailureThrottle(clock, capacity: 64);
        Fail(throttle, AuthFailureThrottle.FreeFailures + 1);
        for (var i = 0; i < 10_000; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            throttle.RecordFailure("iqn.1994-05.com.example:r" + i, new IPAddress(0x0A000000u + (uint)i));
            if (i % 20 == 0)
            {
                // The attacker's own name keeps failing, so it stays among the newest entries.
                throttle.RecordFailure(Initiator, Address);
            }
        }

        Assert.True(throttle.TrackedInitiators <= 64, $"{throttle.TrackedInitiators} initiators tracked");
        Assert.True(throttle.TrackedAddresses <= 64, $"{throttle.TrackedAddresses} addresses tracked");
        Assert.True(throttle.RecordFailure(Initiator, Address).InitiatorFailures > 500);
    }

    [Fact]
    public void Ipv6Addresses_AreCountedPerSlash64_AndMappedIpv4AsIpv4()
    {
        // One host owns a whole /64: counting single IPv6 addresses would let it rotate forever.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var throttle = new AuthFailureThrottle(clock);
        throttle.RecordFailure("iqn.1994-05.com.example:a", IPAddress.Parse("2001:db8:1:2::1"));
        var second = throttle.RecordFailure("iqn.1994-05.com.example:b", IPAddress.Parse("2001:db8:1:2:ffff::9"));
        throttle.RecordFailure("iqn.1994-05.com.example:c", IPAddress.Parse("192.0.2.9"));
        var mapped = throttle.RecordFailure("iqn.1994-05.com.example:d", IPAddress.Parse("::ffff:192.0.2.9"));

        Assert.Equal(2, second.AddressFailures);
        Assert.Equal(2, mapped.AddressFailures);
    }

    private static void Fail(AuthFailureThrottle throttle, int times)
    {
        for (var i = 0; i < times; i++)
        {
            throttle.RecordFailure(Initiator, Address);
        }
    }
}
