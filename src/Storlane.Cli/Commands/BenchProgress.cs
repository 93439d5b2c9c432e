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
                    console.MarkupLine($"[[{run}/{total}]] {Markup.Escape(test)} on {ConsoleReport.Label(target)}");
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
                    task.Description = $"[{run}/{total}] {Markup.Escape(test)} on {ConsoleReport.Label(target)}";
                    task.Value = (run - 1 + fraction) / total;
                }, sampleInterval, cancellationToken);
            });
    }
}
