using System.CommandLine;
using System.Text.Json.Nodes;
using Storlane.Cli.Commands;

namespace Storlane.Cli.Tests;

/// <summary><c>storlane bench compare</c>: the verdicts on the console and, with --json and --html, in files.</summary>
public sealed class BenchCompareCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-compare-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task OneFileOfTwoTargets_WritesVerdictsToJsonAndHtml_WithRawAndHolmP()
    {
        var suite = Path.Combine(_directory, "suite.yaml");
        await File.WriteAllTextAsync(suite, "name: two\nduration: 100ms\ntests:\n  - name: Read 4K\n    size: 4K\n  - name: Read 64K\n    size: 64K\n");
        var (results, verdicts, page) = (Path.Combine(_directory, "ab.json"), Path.Combine(_directory, "verdicts.json"), Path.Combine(_directory, "verdicts.html"));
        var (benchExit, _, benchError) = await RunAsync("bench", "--target", "memory:16MiB", "--target", "memory:16MiB,sector=4096", "--suite", suite, "--repeat", "3", "--json", results);
        Assert.True(benchExit == 0, benchError);

        var (exitCode, output, error) = await RunAsync("bench", "compare", results, "--json", verdicts, "--html", page);

        Assert.True(exitCode == 0, error);
        Assert.Contains("p Holm", output, StringComparison.Ordinal);
        Assert.Contains("cannot be significant at n=3", output, StringComparison.Ordinal); // Mann-Whitney at 3 runs per side: p >= 0.1
        var json = JsonNode.Parse(await File.ReadAllTextAsync(verdicts))!;
        Assert.Equal(2, json["rows"]!.AsArray().Count);
        var latency = json["rows"]![0]!["meanLatencyMs"]!;
        Assert.Equal(0.1, latency["minimumP"]!.GetValue<double>(), 12);
        Assert.Equal("cannotBeSignificant", latency["verdict"]!.GetValue<string>());
        Assert.NotNull(json["rows"]![0]!["figure"]!["pHolm"]);
        Assert.Contains("Read 64K", await File.ReadAllTextAsync(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_NamesTheJsonAndHtmlOutputs_AndHolm()
    {
        var (exitCode, output, _) = await RunAsync("bench", "compare", "--help");

        Assert.Equal(0, exitCode);
        foreach (var expected in new[] { "--json", "--html", "Holm", "faster" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await StorlaneCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
