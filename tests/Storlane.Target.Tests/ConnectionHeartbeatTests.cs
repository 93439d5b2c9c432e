using Microsoft.Extensions.Time.Testing;
using Storlane.Target.Connections;

namespace Storlane.Target.Tests;

/// <summary>One server-wide timer drives every connection's once-a-second checks (timeouts, NOP-In pings).</summary>
public sealed class ConnectionHeartbeatTests
{
    [Fact]
    public void EachBeat_CallsEveryListenerOnce_WithTheClocksMilliseconds()
    {
        var clock = new FakeTimeProvider();
        using var heartbeat = new ConnectionHeartbeat(clock, () => clock.GetTimestamp() / (clock.TimestampFrequency / 1000), (_, ex) => throw ex);
        var first = new CountingListener();
        var second = new CountingListener();
        heartbeat.Add(first);
        heartbeat.Add(second);

        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, first.Beats);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        clock.Advance(ConnectionHeartbeat.Interval);
        Assert.Equal(2, first.Beats);
        Assert.Equal(2, second.Beats);
        Assert.Equal(first.LastNow, second.LastNow);
        Assert.Equal(1000, second.LastNow - second.FirstNow);
    }

    [Fact]
    public void AListenerThatThrows_IsReported_AndTheOthersStillBeat()
    {
        var clock = new FakeTimeProvider();
        var failures = new List<(IHeartbeatListener, Exception)>();
        using var heartbeat = new ConnectionHeartbeat(clock, () => 0, (listener, ex) => failures.Add((listener, ex)));
        var broken = new CountingListener { Throws = true };
        var healthy = new CountingListener();
        heartbeat.Add(broken);
        heartbeat.Add(healthy);

        clock.Advance(ConnectionHeartbeat.Interval);

        Assert.Equal(1, healthy.Beats);
        var (who, what) = Assert.Single(failures);
        Assert.Same(broken, who);
        Assert.IsType<InvalidOperationException>(what);
    }

    [Fact]
    public void ARemovedListener_AndADisposedHeartbeat_GetNoMoreBeats()
    {
        var clock = new FakeTimeProvider();
        var heartbeat = new ConnectionHeartbeat(clock, () => 0, (_, ex) => throw ex);
        var removed = new CountingListener();
        var kept = new CountingListener();
        heartbeat.Add(removed);
        heartbeat.Add(kept);

        heartbeat.Remove(removed);
        clock.Advance(ConnectionHeartbeat.Interval);
        heartbeat.Dispose();
        clock.Advance(ConnectionHeartbeat.Interval);

        Assert.Equal(0, removed.Beats);
        Assert.Equal(1, kept.Beats);
        Assert.Equal(1, heartbeat.Count);
    }

    private sealed class CountingListener : IHeartbeatListener
    {
        public int Beats { get; private set; }

        public long FirstNow { get; private set; } = -1;

        public long LastNow { get; private set; }

        public bool Throws { get; init; }

        public void OnHeartbeat(long nowMilliseconds)
        {
            if (Throws)
            {
                throw new InvalidOperationException("a bug in one connection's checks");
            }

            Beats++;
            FirstNow = FirstNow < 0 ? nowMilliseconds : FirstNow;
            LastNow = nowMilliseconds;
        }
    }
}
