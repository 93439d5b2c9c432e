using Storlane.Bench.Engine;
using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Bench.Workload;

namespace Storlane.Bench.Tests;

public sealed class HtmlReportTests
{
    [Fact]
    public async Task Report_IsSelfContained_WithThreeChartsPerTest()
    {
        await using var a = TestTargets.Memory();
        await using var b = TestTargets.Memory(sector: 4096);
        var spec = WorkloadSpec.Simple(4096, 100, 100) with { IoCount = 2_000 };
        var suite = new BenchSuite("tiny", [new SuiteTest("Read 4K", spec, PrimaryMetric.Iops), new SuiteTest("Write <4K>", spec with { Access = [new AccessLine { BlockSize = 4096, ReadPercent = 0 }] }, PrimaryMetric.Iops)]);
        var report = await SuiteRunner.RunAsync(suite, [a, b], repeat: 2);

        var html = HtmlReport.Format(report);

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(6, html.Split("<svg ").Length - 1);
        Assert.Contains("Write &lt;4K&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuiteRun_OfTwoTargets_RecordsEveryRunAndTheGeometry()
    {
        await using var a = TestTargets.Memory();
        await using var b = TestTargets.Memory(sector: 4096);
        var suite = new BenchSuite("tiny", [new SuiteTest("Read 4K", WorkloadSpec.Simple(4096, 100, 100) with { IoCount = 500 }, PrimaryMetric.Iops)]);

        var report = await SuiteRunner.RunAsync(suite, [a, b], repeat: 3);

        Assert.Equal("ABBA", report.Order);
        Assert.Equal([512, 4096], report.Targets.Select(t => t.LogicalBlockSize));
        Assert.All(report.Tests[0].Results, r => Assert.Equal(3, r.Runs.Count));
        Assert.All(report.Tests[0].Results.SelectMany(r => r.Runs), m => Assert.Equal(CdfPoint.Percentiles.Count, m.LatencyCdf.Count));
    }
}
