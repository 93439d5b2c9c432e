using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Cli.Commands;
using Storlane.Target;
using Storlane.TestSupport;

namespace Storlane.Cli.Tests;

/// <summary>
/// <c>storlane bench</c> as the lab runs it: a multipath target, a 100 ms series, JSON out, and exit
/// code 2 for every mistake in the target spec.
/// </summary>
public sealed class BenchCommandTests : IDisposable
{
    private const string TargetName = "iqn.2026-11.io.storlane:cli-bench";
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-bench-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Help_DescribesTheMultipathTarget_AndTheSampleInterval()
    {
        var (exitCode, output, _) = await RunAsync("bench", "--help");

        Assert.Equal(0, exitCode);
        foreach (var expected in new[] { "multipath:POLICY:URL|URL", "least-queue-depth (lqd)", "~standby", "~weight=N", "--sample-interval", "100ms" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("multipath:fastest:iscsi://127.0.0.1/iqn.x/0", "unknown policy 'fastest'")]
    [InlineData("multipath:rr:", "names no URL")]
    [InlineData("multipath:rr:iscsi://127.0.0.1/iqn.x", "needs a target name and a LUN")]
    public async Task BadMultipathSpec_ExitsWith2_AndSaysWhy(string spec, string reason)
    {
        var (exitCode, _, error) = await RunAsync("bench", "--target", spec);

        Assert.Equal(2, exitCode);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("50ms")]
    [InlineData("soon")]
    public async Task SampleIntervalBelow100Ms_OrNotATime_ExitsWith2(string interval)
    {
        var (exitCode, _, error) = await RunAsync("bench", "--target", "memory:16MiB", "--sample-interval", interval);

        Assert.Equal(2, exitCode);
        Assert.Contains("--sample-interval", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MultipathUrlsToDifferentLus_ExitWith2()
    {
        await using var server = await StartTargetAsync();

        var (exitCode, _, error) = await RunAsync("bench", "--target", $"multipath:rr:{Url(server, 0, 0)}|{Url(server, 1, 1)}");

        Assert.Equal(2, exitCode);
        Assert.Contains("refusing to group", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MultipathRun_WritesSchema2Json_WithPathsPolicyAndA100MsSeries()
    {
        await using var server = await StartTargetAsync();
        var suite = Path.Combine(_directory, "suite.yaml");
        await File.WriteAllTextAsync(suite, "name: failover\nduration: 1s\nqueue_depth: 8\ntests:\n  - name: Read 4K QD8\n    size: 4K\n");
        var json = Path.Combine(_directory, "out.json");

        var (exitCode, output, error) = await RunAsync("bench", "--target", $"multipath:rr:{Url(server, 0, 0)}|{Url(server, 1, 0)}", "--suite", suite, "--sample-interval", "100ms", "--json", json);

        Assert.True(exitCode == 0, error);
        Assert.Contains("2 paths, round-robin", output, StringComparison.Ordinal);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(json))!;
        Assert.Equal("storlane-bench/2", report["schema"]!.GetValue<string>());
        var target = report["targets"]![0]!;
        Assert.Equal("multipath", target["kind"]!.GetValue<string>());
        Assert.Equal("round-robin", target["pathPolicy"]!.GetValue<string>());
        Assert.Equal(2, target["paths"]!.AsArray().Count);
        var run = report["tests"]![0]!["results"]![0]!["runs"]![0]!;
        Assert.Equal(0.1, run["sampleIntervalSeconds"]!.GetValue<double>());
        var intervals = (int)Math.Ceiling(run["elapsedSeconds"]!.GetValue<double>() / 0.1);
        Assert.InRange(run["timeSeries"]!.AsArray().Count, intervals - 1, intervals);
        Assert.Equal(0.1, run["timeSeries"]![1]!["startSeconds"]!.GetValue<double>());
        Assert.Equal(0, run["ioErrors"]!.GetValue<long>());
        Assert.Empty(run["failovers"]!.AsArray());
        var paths = run["paths"]!.AsArray();
        Assert.Equal(2, paths.Count);
        Assert.All(paths, p => Assert.True(p!["completed"]!.GetValue<long>() > 0, "a path carried no I/O"));
        Assert.All(paths, p => Assert.Equal("active", p!["state"]!.GetValue<string>()));
    }

    private static Task<LoopbackTarget> StartTargetAsync() =>
        LoopbackTarget.StartAsync(new LoopbackTargetOptions
        {
            TargetName = TargetName,
            PortalAddresses = ["127.0.0.1", "127.0.0.2"],
            Luns = [LoopbackTarget.MemoryLun(0, 16 << 20, 512, 512), LoopbackTarget.MemoryLun(1, 16 << 20, 512, 512)],
        });

    private static string Url(LoopbackTarget server, int portal, int lun) => server.Url(lun, portal: portal);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await StorlaneCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
