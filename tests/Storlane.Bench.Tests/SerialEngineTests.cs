using System.Diagnostics;
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
    public void RateLimiter_SpacesStartsExactlyAtTheLimit(double? iops, double? bytesPerSecond)
    {
        // 1000 I/Os of 4 KiB asked for at once: starts are booked 1 ms apart, so the 1001st starts
        // exactly one second after the first (the rule, with no timer or machine speed involved).
        var limiter = new RateLimiter(iops, bytesPerSecond);
        var now = Stopwatch.GetTimestamp();
        var first = limiter.Book(4096, now);
        long last = first;
        for (var i = 0; i < 1000; i++)
        {
            last = limiter.Book(4096, now);
        }

        Assert.Equal(1.0, (last - first) / (double)Stopwatch.Frequency, 3);
    }

    [Fact]
    public void RateLimiter_IdleCredit_IsCappedAt100Ms()
    {
        // After a second of idling, the next I/O may start at most 100 ms "in the past": a stall is
        // not followed by a second-long burst.
        var limiter = new RateLimiter(1000, null);
        var start = Stopwatch.GetTimestamp();
        limiter.Book(0, start);
        var later = start + Stopwatch.Frequency;
        Assert.Equal(later - (Stopwatch.Frequency / 10), limiter.Book(0, later));
    }

    [Theory]
    [InlineData(1000.0, null)]
    [InlineData(null, 4_096_000.0)]
    public async Task RateLimit_IsNeverExceeded(double? iops, double? bytesPerSecond)
    {
        // End to end the limit is a ceiling; how close a loaded machine gets to it is not a rule.
        await using var target = TestTargets.Memory();
        var spec = WorkloadSpec.Simple(4096, 100, 100, 4) with { DurationSeconds = 1.5, RateLimitIops = iops, RateLimitBytesPerSecond = bytesPerSecond };

        var result = await WorkloadRunner.RunAsync(target, spec);

        Assert.InRange(result.Iops, 1, 1050);
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
