using System.CommandLine;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;

namespace Storlane.Cli.Commands;

/// <summary>
/// <c>storlane bench --target T [--target T2] [--suite anvil|cdm|FILE.yaml] [--repeat N] [--duration 5s]
/// [--warmup 1s] [--sample-interval 1s] [--json FILE] [--csv FILE] [--html FILE] [--write | --read-only]</c>, and <c>storlane bench compare</c>.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var target = WorkloadOptions.Targets("--target", "-t", "target",
            "What to benchmark: " + BenchTargetFactory.Syntax + ". A multipath target counts I/O errors and records failovers instead of stopping. "
                + "Give two targets to compare them; their runs are interleaved (A B B A ...).");
        var suite = new Option<string>("--suite", "-s")
        {
            Description = $"'{AnvilSuite.Name}' (the seed's Anvil rows), '{CrystalDiskMarkSuite.Name}' (CrystalDiskMark presets) or a YAML suite file (docs/bench.md).",
            HelpName = "suite",
            DefaultValueFactory = _ => AnvilSuite.Name,
        };
        var repeat = WorkloadOptions.Count("--repeat", "-r", "Runs per test and target; 3 or more lets 'bench compare' judge differences.", 1);
        var duration = WorkloadOptions.Time("--duration", "-d", "Measured time per run for the built-in suites (500ms, 5s, 1m). YAML suites set their own.", "5s");
        var warmUp = WorkloadOptions.Time("--warmup", "-w", "Unmeasured time before each run for the built-in suites.", "0s");
        var sampleInterval = WorkloadOptions.Time("--sample-interval", null,
            "Interval of each run's time series (IOPS, MB/s, mean latency), from 100ms up; short intervals show a failover's dip.", "1s");
        var json = new Option<FileInfo?>("--json") { Description = "Write every run, workload, target geometry and machine to this JSON file (schema: docs/bench.md).", HelpName = "file" };
        var csv = new Option<FileInfo?>("--csv") { Description = "Write one CSV row per run to this file.", HelpName = "file" };
        var html = new Option<FileInfo?>("--html") { Description = "Write a self-contained HTML report with charts (bars with error bars, latency CDFs, time series).", HelpName = "file" };
        var write = new Option<bool>("--write")
        {
            Description = "Allow the suite's write tests on a target bench did not make (an iSCSI LUN, an existing file or block device): what it holds is overwritten. "
                + "Without it bench refuses (exit 2) and says what a sample of blocks holds. memory: and a new file: need no --write.",
        };
        var readOnly = new Option<bool>("--read-only") { Description = "Run only the suite's tests that only read: safe on a LUN that holds data." };

        var command = new Command("bench", "Benchmark a LUN, file or block device, or an in-memory device. Write tests overwrite the target: on anything bench did not make itself they need --write (or --read-only skips them). "
            + "Ctrl-C stops the run, logs out and writes the results so far marked partial; a second Ctrl-C quits at once. "
            + "Exit code 0: done; 1: an I/O or target failed, or stopped by Ctrl-C; 2: bad arguments, target spec or suite, or writes refused.")
        {
            target,
            suite,
            repeat,
            duration,
            warmUp,
            sampleInterval,
            json,
            csv,
            html,
            write,
            readOnly,
            BenchCompareCommand.Create(),
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var options = new BenchRunOptions(
                parseResult.GetRequiredValue(target),
                parseResult.GetRequiredValue(suite),
                parseResult.GetValue(repeat),
                parseResult.GetRequiredValue(duration),
                parseResult.GetRequiredValue(warmUp),
                parseResult.GetRequiredValue(sampleInterval),
                parseResult.GetValue(json)?.FullName,
                parseResult.GetValue(csv)?.FullName,
                parseResult.GetValue(html)?.FullName,
                parseResult.GetValue(write),
                parseResult.GetValue(readOnly));
            return new BenchRunner(options, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error).RunAsync(cancellationToken);
        });
        return command;
    }
}
