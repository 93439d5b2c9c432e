using Storlane.Bench.Engine;
using Storlane.Bench.Workload;

namespace Storlane.Bench.Tests;

/// <summary>What an I/O error does to a run: ends it on a single target, is counted on a multipath one.</summary>
public sealed class IoErrorTests
{
    [Fact]
    public async Task SingleTarget_FirstIoError_EndsTheRunWithTheTargetsError()
    {
        await using var target = new FailingTarget(TestTargets.Memory(), failEvery: 100);
        var spec = WorkloadSpec.Simple(4096, 100, 100, queueDepth: 4) with { IoCount = 10_000 };

        var error = await Assert.ThrowsAsync<BenchIoException>(() => WorkloadRunner.RunAsync(target, spec));

        Assert.Contains("medium error (injected)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MultipathTarget_IoErrors_AreCountedAndTheRunGoesOn()
    {
        await using var target = new FakeMultipathTarget(TestTargets.Memory(), failEvery: 100);
        var spec = WorkloadSpec.Simple(4096, 100, 100, queueDepth: 4) with { IoCount = 10_000 };

        var result = await WorkloadRunner.RunAsync(target, spec);

        // Every hundredth I/O failed; the others completed and were measured.
        Assert.InRange(result.IoErrors, 99, 101);
        Assert.InRange(result.TotalIos, 9_899, 9_901);
        Assert.Contains("all 2 paths down (injected)", result.FirstIoError, StringComparison.Ordinal);
        Assert.Contains("read of 4096 bytes at offset", result.FirstIoError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MultipathTarget_RecordsEveryFailoverOfTheRun_AndPathCountersOfItsIos()
    {
        await using var target = new FakeMultipathTarget(TestTargets.Memory(), failEvery: int.MaxValue, failoverAt: [100, 5_000]);
        var spec = WorkloadSpec.Simple(4096, 100, 100, queueDepth: 2) with { IoCount = 10_000 };

        var result = await WorkloadRunner.RunAsync(target, spec, TimeSpan.FromMilliseconds(100));

        Assert.Equal(2, result.Failovers.Count);
        Assert.All(result.Failovers, f => Assert.Equal(("a:3260", "b:3260", 20.0, 3, "connection reset"), (f.FromPath, f.ToPath, f.DurationMs, f.RetriedIos, f.Reason)));

        // Each began its 20 ms before the event, which came during the run.
        Assert.All(result.Failovers, f => Assert.InRange(f.AtSeconds, -0.021, result.ElapsedSeconds));

        // No warm-up: the paths' counters since the start are exactly the run's I/Os.
        Assert.Equal(["a:3260", "b:3260"], result.Paths.Select(p => p.Name));
        Assert.Equal(10_000, result.Paths.Sum(p => p.Completed));
        Assert.Equal(0, result.IoErrors);
    }

    [Fact]
    public async Task SingleTarget_HasNoFailoversNoPathsAndNoIoErrors()
    {
        await using var target = TestTargets.Memory();
        var result = await WorkloadRunner.RunAsync(target, WorkloadSpec.Simple(4096, 100, 100) with { IoCount = 1_000 });

        Assert.Empty(result.Failovers);
        Assert.Empty(result.Paths);
        Assert.Equal(0, result.IoErrors);
        Assert.Null(result.FirstIoError);
    }
}
