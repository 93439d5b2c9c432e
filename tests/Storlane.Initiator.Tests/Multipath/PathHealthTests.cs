using Microsoft.Extensions.Time.Testing;
using Storlane.Initiator.Multipath;

namespace Storlane.Initiator.Tests.Multipath;

/// <summary>Hysteresis: a failed path needs good probes in a row, more of them when it flaps.</summary>
public class PathHealthTests
{
    [Fact]
    public void FailedPath_NeedsTwoGoodProbes_ThenMoreWhenItFlaps()
    {
        var time = new FakeTimeProvider();
        var health = new PathHealth(new PathHealthOptions { GoodProbesToReadmit = 2, FlapWindow = TimeSpan.FromMinutes(1) }, time);
        Assert.Equal(PathState.Active, health.Fail());
        Assert.Equal(PathState.Failed, health.OnProbe(true));
        Assert.Equal(PathState.Probation, health.State);
        Assert.Equal(PathState.Probation, health.OnProbe(true));
        Assert.Equal(PathState.Active, health.State);

        // Fails again 10 s later: a flap, so four good probes are needed now.
        time.Advance(TimeSpan.FromSeconds(10));
        health.Fail();
        Assert.Equal(4, health.RequiredProbes);
        for (var i = 0; i < 3; i++)
        {
            health.OnProbe(true);
            Assert.Equal(PathState.Probation, health.State);
        }

        health.OnProbe(true);
        Assert.Equal(PathState.Active, health.State);

        // A bad probe on probation starts over; after a quiet spell the count is back to two.
        time.Advance(TimeSpan.FromMinutes(5));
        health.Fail();
        Assert.Equal(2, health.RequiredProbes);
    }

    [Fact]
    public void WaivedHysteresis_ReadmitsAtOnce_AndSlowIosFailThePath()
    {
        var health = new PathHealth(new PathHealthOptions { SlowIoThreshold = TimeSpan.FromMilliseconds(100), SlowIosToFail = 3 }, new FakeTimeProvider());
        health.Fail();
        health.OnProbe(true, waiveHysteresis: true);
        Assert.Equal(PathState.Active, health.State);
        Assert.Null(health.OnCompletion(TimeSpan.FromSeconds(1)));
        Assert.Null(health.OnCompletion(TimeSpan.FromSeconds(1)));
        Assert.Null(health.OnCompletion(TimeSpan.FromMilliseconds(1))); // a fast one resets the run
        Assert.Null(health.OnCompletion(TimeSpan.FromSeconds(1)));
        Assert.Null(health.OnCompletion(TimeSpan.FromSeconds(1)));
        Assert.Equal(PathState.Active, health.OnCompletion(TimeSpan.FromSeconds(1)));
        Assert.Equal(PathState.Failed, health.State);
    }

    [Fact]
    public void Alua_ParsesReportTargetPortGroups()
    {
        byte[] data =
        [
            0, 0, 0, 24,
            0x00, 0x01, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1,
            0x01, 0x01, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2,
        ];
        var groups = Alua.ParseReport(data);
        Assert.Equal(AluaState.ActiveOptimized, groups[1]);
        Assert.Equal(AluaState.ActiveNonOptimized, groups[2]);
        Assert.Equal(-1, Alua.Rank(AluaState.Standby));
    }
}
