using Spectre.Console;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;
using Storlane.Bench.Workload;
using Storlane.Cli.Commands;

namespace Storlane.Cli.Tests;

/// <summary>
/// <c>storlane bench</c> as a user at a terminal sees it: a live progress bar (interactive, ANSI),
/// whose text is Spectre markup, so "[1/2]" and a test named "[x]" must reach it escaped.
/// </summary>
public sealed class BenchTerminalTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-bench-tty-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task InteractiveConsole_ProgressBarWithRunCounterAndBracketedTestName_Renders()
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
        });
        var workload = WorkloadSpec.Simple(4096, 100, 100) with { DurationSeconds = 0.2 };
        var suite = new BenchSuite("tty", [new SuiteTest("Read 4K [hot]", workload, PrimaryMetric.Iops), new SuiteTest("Read 4K", workload, PrimaryMetric.Iops)]);
        await using var target = await BenchTargetFactory.OpenAsync("memory:16MiB");

        var report = await BenchProgress.RunAsync(console, suite, [target], 1, TimeSpan.FromMilliseconds(100), CancellationToken.None);

        Assert.Equal(2, report.Tests.Count);
        Assert.Contains("[2/2] Read 4K on A", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealProgram_UnderAPseudoTerminal_RunsTheSuiteAndExitsZero()
    {
        var suite = Path.Combine(_directory, "suite.yaml");
        await File.WriteAllTextAsync(suite, "name: tty\nduration: 300ms\ntests:\n  - name: Read 4K\n    size: 4K\n  - name: Read 64K\n    size: 64K\n");
        using var storlane = CliProcess.StartInTerminal("bench", "--target", "memory:16MiB", "--suite", suite);

        var exitCode = await storlane.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, storlane.Output + storlane.Error);
        Assert.Contains("Read 64K", storlane.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", storlane.Output, StringComparison.Ordinal);
    }
}
