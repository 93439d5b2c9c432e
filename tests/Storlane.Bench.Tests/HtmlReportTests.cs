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

    [ChromiumFact]
    public async Task Report_RendersInHeadlessChromium_WithEveryChart()
    {
        await using var a = TestTargets.Memory();
        await using var b = TestTargets.Memory(sector: 4096);
        var report = await SuiteRunner.RunAsync(AnvilSuite.Create(durationSeconds: 0.1), [a, b], repeat: 2);
        var directory = Directory.CreateTempSubdirectory("storlane-html-").FullName;
        try
        {
            var file = Path.Combine(directory, "report.html");
            await File.WriteAllTextAsync(file, HtmlReport.Format(report));

            // The DOM Chromium built holds every chart and every row: the page parsed and laid out.
            var dom = await HeadlessChromium.RunAsync(file, "--dump-dom");
            Assert.Equal(report.Tests.Count * 3, dom.Split("<svg", StringSplitOptions.None).Length - 1);
            foreach (var test in report.Tests)
            {
                Assert.Contains(System.Net.WebUtility.HtmlEncode(test.Name), dom, StringComparison.Ordinal);
            }

            // And it paints: a screenshot of a page with charts is far from blank.
            var png = Path.Combine(directory, "report.png");
            await HeadlessChromium.RunAsync(file, "--screenshot=" + png);
            Assert.True(new FileInfo(png).Length > 20_000, "the screenshot is (nearly) blank");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
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
