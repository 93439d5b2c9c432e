using Storlane.Bench.Engine;
using Storlane.Bench.Workload;

namespace Storlane.Bench.Tests;

[CollectionDefinition(nameof(SerialEngineTests), DisableParallelization = true)]
public sealed class SerialEngineCollection;

/// <summary>Runs alone: it counts the whole process's allocations, or depends on timers firing on time.</summary>
[Collection(nameof(SerialEngineTests))]
public sealed class SerialEngineTests
{
    [Theory]
    [InlineData(1000.0, null)]
    [InlineData(null, 4_096_000.0)]
    public async Task RateLimit_HoldsWithinFivePercent(double? iops, double? bytesPerSecond)
    {
        await using var target = TestTargets.Memory();
        var spec = WorkloadSpec.Simple(4096, 100, 100, 4) with { DurationSeconds = 1.5, RateLimitIops = iops, RateLimitBytesPerSecond = bytesPerSecond };

        var result = await WorkloadRunner.RunAsync(target, spec);

        Assert.InRange(result.Iops, 950, 1050);
    }

    [Fact]
    public async Task PerIoPath_AllocatesNothing_OnTheMemoryDevice()
    {
        await using var target = TestTargets.Memory();
        var spec = WorkloadSpec.Simple(4096, 70, 50, 4) with { Seed = 3 };
        await WorkloadRunner.RunAsync(target, spec with { IoCount = 1_000 });

        var small = await AllocatedDuring(() => WorkloadRunner.RunAsync(target, spec with { IoCount = 2_000 }));
        var large = await AllocatedDuring(() => WorkloadRunner.RunAsync(target, spec with { IoCount = 102_000 }));

        // Fixed costs (slots, histograms, buffers) cancel out; what remains is per-I/O.
        Assert.InRange((large - small) / 100_000.0, double.MinValue, 1.0);
    }

    private static async Task<long> AllocatedDuring(Func<Task> run)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await run();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }
}
