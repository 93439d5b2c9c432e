using System.CommandLine;
using Storlane.Lab.Experiments;

namespace Storlane.Cli.Commands;

/// <summary>
/// <c>storlane lab sector-size|mpio|failover [--short] [--links auto|namespaces|in-process]
/// [--rate 1gbit|10gbit] [--repeat N] [--duration T] [--output DIR]</c>: the seed's experiments on
/// this machine (docs/lab.md).
/// </summary>
internal static class LabCommand
{
    public static Command Create() => new("lab", "Reproduce the seed's experiments on this machine over rate-limited links (network namespaces as root, else in-process relays); each writes report.html and report.json. Exit code 0: done; 1: the experiment failed; 2: bad arguments.")
    {
        Experiment(SectorSizeExperiment.Name, "512n vs 4Kn vs 512e RAM LUNs over two round-robin paths: the Anvil rows, interleaved repeats, diff with 95% CI, p and verdict.",
            (options, console, token) => new SectorSizeExperiment(options, console).RunAsync(token)),
        Experiment(MpioExperiment.Name, "The seed's MPIO tests B-G (and failover-only, weighted) on 4 server NICs and 2 storage ports: Seq 4MB read/write and 4K QD16 with control deviance against D.",
            (options, console, token) => new MpioExperiment(options, console).RunAsync(token)),
        Experiment(FailoverExperiment.Name, "Verified I/O over two 1:1 paths while a server NIC's cable is pulled and restored, per policy: failover time, application I/O errors, throughput dip, a 100 ms time series.",
            (options, console, token) => new FailoverExperiment(options, console).RunAsync(token)),
        LabCephCommand.Create(),
    };

    private static Command Experiment(string name, string description, Func<LabRunOptions, Spectre.Console.IAnsiConsole, CancellationToken, Task> run)
    {
        var options = new LabOptions();
        var command = new Command(name, description);
        options.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var settings = options.Read(parseResult, name, error);
            return settings is null
                ? Task.FromResult(ExitCodes.ConfigError)
                : LabRunner.RunAsync((console, token) => run(settings, console, token), parseResult.InvocationConfiguration.Output, error, cancellationToken);
        });
        return command;
    }
}
