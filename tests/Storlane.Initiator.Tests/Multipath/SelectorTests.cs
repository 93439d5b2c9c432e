using Microsoft.Extensions.Time.Testing;
using Storlane.Initiator.Multipath;
using Storlane.Initiator.Multipath.Selectors;

namespace Storlane.Initiator.Tests.Multipath;

/// <summary>Each policy distributes I/O as its one-line definition says, on fake paths.</summary>
public class SelectorTests
{
    private static int[] Distribute(IPathSelector selector, ISelectablePath[] candidates, int ios, int bytes = 4096)
    {
        var counts = new int[IPathSelector.MaxPaths];
        for (var i = 0; i < ios; i++)
        {
            counts[selector.Select(candidates, bytes).Index]++;
        }

        return counts[..candidates.Max(p => p.Index + 1)];
    }

    [Fact]
    public void RoundRobin_SpreadsEvenly()
    {
        var paths = FakePath.Make(3);
        Assert.Equal([100, 100, 100], Distribute(new RoundRobinSelector(), paths, 300));
    }

    [Fact]
    public void FailoverOnly_WithFailback_ReturnsToThePreferredPath()
    {
        var paths = FakePath.Make(2);
        var selector = new FailoverOnlySelector(failback: true);
        Assert.Equal([10, 0], Distribute(selector, paths, 10));
        Assert.Equal(1, selector.Select([paths[1]], 1).Index); // path 0 failed
        Assert.Equal(0, selector.Select(paths, 1).Index); // back
    }

    [Fact]
    public void FailoverOnly_WithoutFailback_StaysOnTheSurvivor()
    {
        var paths = FakePath.Make(2);
        var selector = new FailoverOnlySelector(failback: false);
        Assert.Equal(0, selector.Select(paths, 1).Index);
        Assert.Equal(1, selector.Select([paths[1]], 1).Index);
        Assert.Equal([0, 10], Distribute(selector, paths, 10));
    }

    [Fact]
    public void RoundRobinWithSubset_UsesStandbyOnlyWhenNoActivePathIsLeft()
    {
        var paths = FakePath.Make(3);
        paths[2].IsStandby = true;
        var selector = new RoundRobinWithSubsetSelector();
        Assert.Equal([50, 50, 0], Distribute(selector, paths, 100));
        Assert.Equal([0, 0, 10], Distribute(selector, [paths[2]], 10)[..3]);
    }

    [Fact]
    public void LeastQueueDepth_PicksTheShortestQueue_AndSharesTies()
    {
        var paths = FakePath.Make(3);
        paths[0].Outstanding = 5;
        paths[1].Outstanding = 2;
        paths[2].Outstanding = 7;
        Assert.Equal([0, 20, 0], Distribute(new LeastQueueDepthSelector(), paths, 20));
        paths[1].Outstanding = 5;
        var counts = Distribute(new LeastQueueDepthSelector(), paths, 20);
        Assert.Equal(0, counts[2]);
        Assert.Equal(10, counts[0]);
        Assert.Equal(10, counts[1]);
    }

    [Fact]
    public void LeastQueueDepth_FillsQueuesLevel()
    {
        var paths = FakePath.Make(2);
        var selector = new LeastQueueDepthSelector();
        for (var i = 0; i < 16; i++)
        {
            ((FakePath)selector.Select(paths, 1)).Outstanding++;
        }

        Assert.Equal(8, paths[0].Outstanding);
        Assert.Equal(8, paths[1].Outstanding);
    }

    [Fact]
    public void WeightedPaths_PicksTheLowestWeight()
    {
        var paths = FakePath.Make(3);
        paths[0].Weight = 10;
        paths[1].Weight = 3;
        paths[2].Weight = 3;
        Assert.Equal([0, 10, 10], Distribute(new WeightedPathsSelector(), paths, 20));
    }

    [Fact]
    public void LeastBlocks_PicksTheFewestBytesInFlight()
    {
        var paths = FakePath.Make(2);
        paths[0].Outstanding = 1;
        paths[0].OutstandingBytes = 1 << 20;
        paths[1].Outstanding = 10;
        paths[1].OutstandingBytes = 40960;
        Assert.Equal([0, 10], Distribute(new LeastBlocksSelector(), paths, 10));
    }

    [Fact]
    public void ServiceTime_WeighsBytesInFlightByRelativeThroughput()
    {
        var paths = FakePath.Make(2);
        paths[0].RelativeThroughput = 4;
        paths[1].RelativeThroughput = 1;
        var selector = new ServiceTimeSelector();

        // Fill as dm-multipath would: the fast path takes about 4 of every 5 I/Os.
        for (var i = 0; i < 100; i++)
        {
            ((FakePath)selector.Select(paths, 4096)).OutstandingBytes += 4096;
        }

        Assert.InRange(paths[0].OutstandingBytes / 4096, 79, 81);
        Assert.InRange(paths[1].OutstandingBytes / 4096, 19, 21);
    }

    [Fact]
    public void AdaptiveLatency_SharesByInverseLatency_AndProbesIdlePaths()
    {
        var time = new FakeTimeProvider();
        var paths = FakePath.Make(2);
        var selector = new AdaptiveLatencySelector(time, TimeSpan.FromSeconds(1));

        // Each path is tried once first, then the 1 ms path gets 3x the share of the 3 ms path.
        Assert.Equal(0, selector.Select(paths, 1).Index);
        Assert.Equal(1, selector.Select(paths, 1).Index);
        selector.OnCompleted(paths[0], TimeSpan.FromMilliseconds(1), 1);
        selector.OnCompleted(paths[1], TimeSpan.FromMilliseconds(3), 1);
        Assert.Equal([300, 100], Distribute(selector, paths, 400));

        // Path 1 gets nothing for a while (only path 0 was usable): it is probed at once when back.
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(300));
            selector.Select([paths[0]], 1);
        }

        Assert.Equal(1, selector.Select(paths, 1).Index);
    }
}
