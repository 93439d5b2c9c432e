using Spectre.Console;
using Storlane.Bench.Engine;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;
using Storlane.Cli.Serving;
using Storlane.Initiator;
using Storlane.Initiator.Multipath;
using Storlane.Initiator.Scsi;

namespace Storlane.Cli.Commands;

/// <summary>
/// Runs <c>storlane bench</c>: checks the arguments, opens the targets, refuses to write over a
/// target it did not make unless told (<see cref="WriteGuard"/>), runs the suite with progress and
/// writes the outputs. The first Ctrl-C stops the run: the targets log out and the outputs hold every
/// run completed so far, marked partial; a second Ctrl-C ends the process at once.
/// </summary>
internal sealed class BenchRunner(BenchRunOptions options, TextWriter output, TextWriter error)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var suite = LoadSuite();
        if (suite is null)
        {
            return ExitCodes.ConfigError;
        }

        if (options.Write && options.ReadOnly)
        {
            error.WriteLine("give --write or --read-only, not both");
            return ExitCodes.ConfigError;
        }

        if (options.ReadOnly)
        {
            suite = WriteGuard.ReadOnly(suite);
            if (suite.Tests.Count == 0)
            {
                error.WriteLine($"--read-only: suite '{suite.Name}' has no test that only reads");
                return ExitCodes.ConfigError;
            }
        }

        if (options.Repeat < 1 || options.Targets.Count > 2)
        {
            error.WriteLine(options.Repeat < 1 ? "--repeat must be 1 or more" : "give one --target, or two to compare them");
            return ExitCodes.ConfigError;
        }

        if (!DurationText.TryParseSeconds(options.SampleInterval, out var intervalSeconds) || intervalSeconds < WorkloadRunner.MinSampleInterval.TotalSeconds)
        {
            error.WriteLine($"--sample-interval '{options.SampleInterval}' is not a time of 100ms or more ({DurationText.Expected})");
            return ExitCodes.ConfigError;
        }

        using var signals = new ShutdownSignals(signal => error.WriteLine($"bench: {signal}: stopping; logging out and writing what was measured so far (press Ctrl-C again to quit at once)"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(signals.Token, cancellationToken);
        var targets = new List<IBenchTarget>();
        try
        {
            foreach (var spec in options.Targets)
            {
                targets.Add(await BenchTargetFactory.OpenAsync(spec, stop.Token));
            }

            if (!options.Write && await WriteRefusal.CheckAsync(suite, targets, stop.Token) is { } refusal)
            {
                error.WriteLine(refusal);
                return ExitCodes.ConfigError;
            }

            var console = BenchConsole.Create(output);
            var report = await BenchProgress.RunAsync(console, suite, targets, options.Repeat, TimeSpan.FromSeconds(intervalSeconds), stop.Token);
            ConsoleReport.Render(console, report);

            // Written even after Ctrl-C: what was measured is kept; a second Ctrl-C ends the process.
            await WriteOutputsAsync(report, console, CancellationToken.None);
            if (report.Partial is { } partial)
            {
                error.WriteLine($"bench stopped ({signals.Received}): {partial.Describe()}");
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            error.WriteLine("bench stopped before the first run; nothing measured, no results written");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or MultipathGroupingException)
        {
            // MultipathGroupingException: the spec's URLs lead to different LUs, a mistake in the spec.
            error.WriteLine(ex.Message);
            return ExitCodes.ConfigError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BenchIoException or IscsiLoginException or IscsiRejectException or ScsiCommandException or InvalidOperationException)
        {
            error.WriteLine($"bench failed: {ex.Message}");
            return ExitCodes.Failure;
        }
        finally
        {
            foreach (var target in targets)
            {
                await target.DisposeAsync();
            }
        }
    }

    private BenchSuite? LoadSuite()
    {
        if (!DurationText.TryParseSeconds(options.Duration, out var duration) || duration <= 0)
        {
            error.WriteLine($"--duration '{options.Duration}' is not {DurationText.Expected}");
            return null;
        }

        if (!DurationText.TryParseSeconds(options.WarmUp, out var warmUp))
        {
            error.WriteLine($"--warmup '{options.WarmUp}' is not {DurationText.Expected}");
            return null;
        }

        switch (options.Suite.ToLowerInvariant())
        {
            case AnvilSuite.Name:
                return AnvilSuite.Create(duration, warmUp);
            case CrystalDiskMarkSuite.Name:
                return CrystalDiskMarkSuite.Create(duration, warmUp);
        }

        if (!File.Exists(options.Suite))
        {
            error.WriteLine($"--suite '{options.Suite}' is neither '{AnvilSuite.Name}', '{CrystalDiskMarkSuite.Name}' nor an existing YAML file");
            return null;
        }

        try
        {
            return YamlSuiteLoader.Load(options.Suite);
        }
        catch (SuiteFormatException ex)
        {
            error.WriteLine(ex.Message);
            return null;
        }
    }

    private async Task WriteOutputsAsync(BenchReport report, IAnsiConsole console, CancellationToken cancellationToken)
    {
        if (options.JsonPath is not null)
        {
            await JsonReport.WriteAsync(report, options.JsonPath, cancellationToken);
            console.MarkupLine($"JSON: {Markup.Escape(options.JsonPath)}");
        }

        if (options.CsvPath is not null)
        {
            await File.WriteAllTextAsync(options.CsvPath, CsvReport.Format(report), cancellationToken);
            console.MarkupLine($"CSV: {Markup.Escape(options.CsvPath)}");
        }

        if (options.HtmlPath is not null)
        {
            await File.WriteAllTextAsync(options.HtmlPath, HtmlReport.Format(report), cancellationToken);
            console.MarkupLine($"HTML: {Markup.Escape(options.HtmlPath)}");
        }
    }
}
