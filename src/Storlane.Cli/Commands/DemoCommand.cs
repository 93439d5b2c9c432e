using System.CommandLine;
using Storlane.Lab.Experiments;

namespace Storlane.Cli.Commands;

/// <summary>
/// <c>storlane demo</c>: no arguments, no root. A target with 512- and 4096-byte LUNs, two paths over
/// in-process links, the Anvil rows briefly on both, a cable pulled mid-run, the tables and the HTML report.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var options = new LabOptions(demo: true);
        var command = new Command("demo", "Storlane in about a minute, no root needed: starts a target with a 512-byte and a 4096-byte RAM LUN, connects over two paths, runs the Anvil rows on both, pulls a path mid-run, prints 512 vs 4K with verdicts and what the pull did, and the path of the HTML report. Exit code 0: done; 1: failed; 2: bad arguments.");
        options.AddTo(command, all: false);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var settings = options.Read(parseResult, DemoExperiment.Name, error);
            return settings is null
                ? Task.FromResult(ExitCodes.ConfigError)
                : LabRunner.RunAsync((console, token) => new DemoExperiment(settings with { Short = true }, console).RunAsync(token), parseResult.InvocationConfiguration.Output, error, cancellationToken);
        });
        return command;
    }
}
