using System.CommandLine;
using Storlane.Lab.Experiments;

namespace Storlane.Cli.Commands;

/// <summary>
/// <c>storlane demo</c>: no arguments, no root. A target with 512- and 4096-byte LUNs, two paths over
/// in-process links; one path against two, 512 against 4K, a cable pulled under load; the tables and the HTML report.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var options = new LabOptions(demo: true);
        var command = new Command("demo", "Storlane in about a minute, no root needed: starts a target with a 512-byte and a 4096-byte RAM LUN reached over two rate-limited paths; compares one path with two (a difference the statistics find) and 512 with 4K (one they do not), pulls a cable while verified I/O runs (failover, longest I/O, errors), and prints the path of the HTML report. Ctrl-C stops it and removes what it started. Exit code 0: done; 1: failed or cancelled; 2: bad arguments.");
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
