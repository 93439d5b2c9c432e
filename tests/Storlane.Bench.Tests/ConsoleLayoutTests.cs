using Spectre.Console;
using Storlane.Bench.Engine;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;

namespace Storlane.Bench.Tests;

/// <summary>The results table in a terminal of 100 columns: no line wider, no number broken across lines.</summary>
public sealed class ConsoleLayoutTests
{
    [Fact]
    public async Task TwoTargets_AtOneHundredColumns_FitAndKeepEveryNumberWhole()
    {
        await using var a = TestTargets.Memory();
        await using var b = TestTargets.Memory(sector: 4096);
        var report = await SuiteRunner.RunAsync(AnvilSuite.Create(durationSeconds: 0.05), [a, b], repeat: 2);
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = 100;

        ConsoleReport.Render(console, report);

        var lines = writer.ToString().Split('\n');
        Assert.All(lines, line => Assert.True(line.TrimEnd().Length <= 100, $"{line.TrimEnd().Length} columns: {line}"));

        // One table line per test and target: nothing wrapped onto a second line.
        Assert.Equal(20, lines.Count(line => line.StartsWith("│ Read", StringComparison.Ordinal) || line.StartsWith("│ Write", StringComparison.Ordinal)));
        Assert.Contains(lines, line => line.Contains("in a terminal of 140 columns", StringComparison.Ordinal));
    }
}
