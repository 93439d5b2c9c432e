using Storlane.Target.Connections;

namespace Storlane.Target.Tests;

/// <summary>
/// Issue 12: after the attackers leave, RSS returns near its start. The runtime leaves a burst's
/// dead buffers committed while the process is quiet, so the target collects once, aggressively,
/// when the burst is over; never while it goes on, and never again for memory already given back.
/// </summary>
public sealed class MemoryReclaimerTests
{
    private const long MiB = 1L << 20;

    private long _heap = 80 * MiB;
    private long _allocated;
    private int _collections;

    private MemoryReclaimer NewReclaimer() => new(() => _heap, () => _allocated, () =>
    {
        _collections++;
        _heap = 70 * MiB;
    });

    [Fact]
    public void AfterABurst_TheFirstQuietPeriodCollectsOnce()
    {
        var reclaimer = NewReclaimer();
        reclaimer.Tick(burstMemoryCached: false); // the heap is already over the threshold at the start: one early collection
        var settled = _collections;

        Burst(reclaimer, 300 * MiB);
        _allocated += MiB; // a quiet period: a good session's few allocations
        Assert.True(reclaimer.Tick(burstMemoryCached: false));
        Assert.Equal(settled + 1, _collections);

        for (var period = 0; period < 5; period++)
        {
            _allocated += MiB;
            Assert.False(reclaimer.Tick(burstMemoryCached: false));
        }

        Assert.Equal(settled + 1, _collections);
    }

    [Fact]
    public void WhileTheBurstGoesOn_NothingIsCollected()
    {
        var reclaimer = NewReclaimer();
        reclaimer.Tick(burstMemoryCached: false);
        var settled = _collections;
        for (var period = 0; period < 5; period++)
        {
            Burst(reclaimer, 200 * MiB);
        }

        Assert.Equal(settled, _collections);
        Assert.True(reclaimer.Tick(burstMemoryCached: false));
    }

    [Fact]
    public void WhileACacheHoldsTheBurstsMemory_NothingIsCollected()
    {
        var reclaimer = NewReclaimer();
        reclaimer.Tick(burstMemoryCached: false);
        var settled = _collections;
        Burst(reclaimer, 300 * MiB);

        Assert.False(reclaimer.Tick(burstMemoryCached: true));
        Assert.False(reclaimer.Tick(burstMemoryCached: true));
        Assert.Equal(settled, _collections);
        Assert.True(reclaimer.Tick(burstMemoryCached: false));
    }

    [Fact]
    public void GrowthBelowTheThreshold_IsLeftToTheRuntime()
    {
        var reclaimer = NewReclaimer();
        reclaimer.Tick(burstMemoryCached: false);
        var settled = _collections;
        _heap += MemoryReclaimer.GrowthThreshold - MiB;
        for (var period = 0; period < 5; period++)
        {
            _allocated += MiB;
            Assert.False(reclaimer.Tick(burstMemoryCached: false));
        }

        Assert.Equal(settled, _collections);
    }

    /// <summary>One busy period: the heap grows by <paramref name="growth"/> and twice that is allocated.</summary>
    private void Burst(MemoryReclaimer reclaimer, long growth)
    {
        _heap += growth;
        _allocated += 2 * growth;
        Assert.False(reclaimer.Tick(burstMemoryCached: false));
    }
}
