using System.CommandLine;
using Storlane.Cli.Commands;

namespace Storlane.Cli.Tests;

/// <summary>Runs the `storlane` command line in-process with its output and error captured.</summary>
internal static class CliRun
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await StorlaneCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
