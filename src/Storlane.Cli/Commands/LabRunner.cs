using Spectre.Console;
using Storlane.Cli.Serving;
using Storlane.Lab.Experiments;
using Storlane.Lab.Topology;

namespace Storlane.Cli.Commands;

/// <summary>
/// Runs one lab experiment for the CLI: the console, Ctrl-C as a cancellation (the lab then removes
/// its namespaces, links and processes), and the exit code: 0 done, 1 the experiment failed, 2 bad arguments.
/// </summary>
internal static class LabRunner
{
    public static async Task<int> RunAsync(Func<IAnsiConsole, CancellationToken, Task> experiment, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var signals = new ShutdownSignals();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, signals.Token);
        var console = BenchConsole.Create(output);
        try
        {
            await experiment(console, linked.Token);
            return ExitCodes.Success;
        }
        catch (Exception ex) when (signals.Token.IsCancellationRequested || (ex is OperationCanceledException && linked.IsCancellationRequested))
        {
            error.WriteLine($"lab cancelled ({signals.Received}); everything it created was removed");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is LabExperimentException or LabTopologyException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            error.WriteLine($"lab failed: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
