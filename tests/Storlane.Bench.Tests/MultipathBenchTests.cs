using Storlane.Bench.Engine;
using Storlane.Bench.Targets;
using Storlane.Bench.Workload;
using Storlane.TestSupport;
using Xunit.Abstractions;

namespace Storlane.Bench.Tests;

/// <summary>
/// The bench over a multipath target: Storlane's initiator against Storlane's target, two real
/// portals. These keep both cores busy, so they run alone, not beside the engine's timing tests.
/// </summary>
[Collection(RealTargetCollection.Name)]
public sealed class MultipathBenchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RoundRobin_SpreadsIoEvenlyAcrossBothPaths()
    {
        await using var target = await StartTargetAsync();
        await using var bench = await BenchTargetFactory.OpenAsync(Multipath(target, "rr"));
        var spec = WorkloadSpec.Simple(4096, 70, 100, queueDepth: 8) with { IoCount = 4_000 };

        var result = await WorkloadRunner.RunAsync(bench, spec);

        Assert.Equal("multipath", bench.Info.Kind);
        Assert.Equal("round-robin", bench.Info.PathPolicy);
        Assert.Equal(512, bench.Info.LogicalBlockSize);
        Assert.Equal(4096, bench.Info.PhysicalBlockSize);
        Assert.Equal([$"127.0.0.1:{target.Port}", $"127.0.0.2:{target.SecondPort}"], bench.Info.Paths);
        Assert.Equal(bench.Info.Paths, result.Paths.Select(p => p.Name));
        output.WriteLine(string.Join(", ", result.Paths));

        // Round robin sends each I/O to the next path: half each, give or take the I/Os in flight.
        Assert.Equal(4_000, result.TotalIos);
        Assert.All(result.Paths, p => Assert.InRange(p.Completed, 1_950, 2_050));
        Assert.All(result.Paths, p => Assert.Equal(p.Completed * 4096, p.Bytes));
        Assert.All(result.Paths, p => Assert.Equal("active", p.State));
        Assert.All(result.Paths, p => Assert.Equal(0, p.Errors));
        Assert.Equal(0, result.IoErrors);
        Assert.Empty(result.Failovers);
    }

    [Fact]
    public async Task TwoSourceAddressesToOnePortal_AreTwoPathsWithTheirOwnNamesAndCounters()
    {
        await using var target = await StartTargetAsync();
        await using var bench = await BenchTargetFactory.OpenAsync($"multipath:rr:{target.Url(0)}?local_address=127.0.0.5|{target.Url(0)}?local_address=127.0.0.6");

        var result = await WorkloadRunner.RunAsync(bench, WorkloadSpec.Simple(4096, 100, 100) with { IoCount = 400 });

        Assert.Equal([$"127.0.0.1:{target.Port} via 127.0.0.5", $"127.0.0.1:{target.Port} via 127.0.0.6"], bench.Info.Paths);
        Assert.Equal(bench.Info.Paths, result.Paths.Select(p => p.Name));
        Assert.Equal([200L, 200L], result.Paths.Select(p => p.Completed)); // round robin, one I/O at a time
    }

    [Fact]
    public async Task WeightedPaths_SendsEveryIoToTheLowestWeight()
    {
        await using var target = await StartTargetAsync();
        await using var bench = await BenchTargetFactory.OpenAsync($"multipath:wp:{target.Url(0)}~weight=5|{target.Url(0, portal: 1)}~weight=1");

        var result = await WorkloadRunner.RunAsync(bench, WorkloadSpec.Simple(4096, 100, 100) with { IoCount = 500 });

        Assert.Equal([0L, 500L], result.Paths.Select(p => p.Completed));
    }

    [Fact]
    public async Task PathsToDifferentLus_AreRefused()
    {
        await using var target = await StartTargetAsync();

        var error = await Assert.ThrowsAsync<Initiator.Multipath.MultipathGroupingException>(() => BenchTargetFactory.OpenAsync($"multipath:rr:{target.Url(0)}|{target.Url(1, portal: 1)}"));

        Assert.Contains("refusing to group", error.Message, StringComparison.Ordinal);
    }

    [SocketKillFact]
    public async Task KillingOnePortalsConnections_MidRun_RecordsAFailover_WithNoIoErrors_AndA100MsSeries()
    {
        await using var target = await StartTargetAsync();
        await using var bench = await BenchTargetFactory.OpenAsync(Multipath(target, "least-queue-depth"));
        var spec = WorkloadSpec.Simple(4096, 70, 100, queueDepth: 16) with { DurationSeconds = 4 };

        var run = WorkloadRunner.RunAsync(bench, spec, TimeSpan.FromMilliseconds(100));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var killed = await SocketKiller.KillAsync("127.0.0.2", target.SecondPort);
        var result = await run;

        output.WriteLine($"ss killed {killed} socket(s); {result.TotalIos} I/Os, {result.IoErrors} errors");
        foreach (var f in result.Failovers)
        {
            output.WriteLine($"failover at {f.AtSeconds:0.000} s {f.FromPath} -> {f.ToPath} in {f.DurationMs:0.0} ms, {f.RetriedIos} retried ({f.Reason})");
        }

        foreach (var s in result.TimeSeries)
        {
            output.WriteLine($"{s.StartSeconds,5:0.0} s {s.Ios,7} I/Os {s.Iops,9:0} IOPS {s.MeanLatencyMs,8:0.000} ms");
        }

        Assert.True(killed > 0, "ss killed no connection");

        // The multipath layer retried what was in flight on the dead path: the application saw no error.
        Assert.Equal(0, result.IoErrors);
        var failover = Assert.Single(result.Failovers);
        Assert.Equal($"127.0.0.2:{target.SecondPort}", failover.FromPath);
        Assert.Equal($"127.0.0.1:{target.Port}", failover.ToPath);
        Assert.InRange(failover.AtSeconds, 0, result.ElapsedSeconds);
        Assert.True(failover.DurationMs >= 0);
        Assert.False(string.IsNullOrEmpty(failover.Reason));
        Assert.True(result.Paths[1].Errors > 0 || failover.RetriedIos == 0, "the dead path counted no transport error");

        // A 100 ms series over the measured time: the dip of the failover falls in one of its intervals.
        Assert.Equal(0.1, result.SampleIntervalSeconds, 9);
        Assert.InRange(result.TimeSeries.Count, (int)Math.Ceiling(result.ElapsedSeconds / 0.1) - 1, (int)Math.Ceiling(result.ElapsedSeconds / 0.1));
        for (var i = 0; i < result.TimeSeries.Count; i++)
        {
            Assert.Equal(i * 0.1, result.TimeSeries[i].StartSeconds, 6);
        }

        Assert.Contains(result.TimeSeries, s => s.StartSeconds <= failover.AtSeconds && failover.AtSeconds < s.StartSeconds + 0.1);
    }

    /// <summary>
    /// Two portals on two loopback addresses (127.0.0.1 and 127.0.0.2, portal groups 1 and 2): two real
    /// paths to LUN 0 (64 MiB in memory); LUN 1 is another LU, for grouping errors.
    /// </summary>
    private static Task<LoopbackTarget> StartTargetAsync() =>
        LoopbackTarget.StartAsync(new LoopbackTargetOptions
        {
            PortalAddresses = ["127.0.0.1", "127.0.0.2"],
            Luns = [LoopbackTarget.MemoryLun(0, 64 << 20, 512, 4096), LoopbackTarget.MemoryLun(1, 16 << 20, 512, 512)],
        });

    private static string Multipath(LoopbackTarget target, string policy) => $"multipath:{policy}:{target.Url(0)}|{target.Url(0, portal: 1)}";
}

/// <summary>Tests against a real in-process target: run one at a time, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTargetCollection
{
    public const string Name = "real target";
}
