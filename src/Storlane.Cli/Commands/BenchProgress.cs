using Spectre.Console;
using Storlane.Bench.Engine;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;

namespace Storlane.Cli.Commands;

/// <summary>Runs a suite with a progress bar on a terminal, or one line per run when output is redirected.</summary>
internal static class BenchProgress
{
    public static Task<BenchReport> RunAsync(IAnsiConsole console, BenchSuite suite, IReadOnlyList<IBenchTarget> targets, int repeat, TimeSpan sampleInterval, CancellationToken cancellationToken)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            var lastRun = 0;
            return SuiteRunner.RunAsync(suite, targets, repeat, (test, target, run, total, _) =>
            {
                if (run != lastRun)
                {
                    lastRun = run;
                    console.MarkupLine(Describe(test, target, run, total));
                }
            }, sampleInterval, cancellationToken);
        }

        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(suite.Name, maxValue: 1);
                return await SuiteRunner.RunAsync(suite, targets, repeat, (test, target, run, total, fraction) =>
                {
                    task.Description = Describe(test, target, run, total);
                    task.Value = (run - 1 + fraction) / total;
                }, sampleInterval, cancellationToken);
            });
    }

    /// <summary>"[3/10] Read 4K on A" as markup: the brackets and the test's name (from a YAML suite) escaped, or Spectre reads them as styles.</summary>
    internal static string Describe(string test, int target, int run, int total) =>
        Markup.Escape($"[{run}/{total}] {test} on {ConsoleReport.Label(target)}");
}
