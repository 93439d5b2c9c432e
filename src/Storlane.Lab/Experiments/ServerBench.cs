using System.Diagnostics;
using Spectre.Console;
using Storlane.Bench.Reporting;
using Storlane.Lab.Processes;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>
/// Runs <c>storlane bench</c> on the server host, forwards its progress lines, and reads its JSON
/// result back with Storlane.Bench's reader. A run that outlives three times its expected length
/// plus two minutes is stopped, so a hung path cannot hang the lab.
/// </summary>
public static class ServerBench
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Runs <paramref name="invocation"/> to the end. <paramref name="whileRunning"/>, when given,
    /// runs beside it (the failover experiment pulls a cable from there); its failure fails the run.
    /// </summary>
    public static async Task<BenchReport> RunAsync(ILabTopology topology, BenchInvocation invocation, IAnsiConsole console, Func<LabProcess, CancellationToken, Task>? whileRunning, CancellationToken cancellationToken, bool showProgress = true)
    {
        var limit = (invocation.ExpectedDuration * 3) + TimeSpan.FromMinutes(2);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        var process = await topology.StartOnServerAsync(invocation.ToArguments(), cancellationToken);
        await using (process)
        {
            var forwarded = 0;
            var side = whileRunning?.Invoke(process, timeout.Token);
            int exitCode;
            try
            {
                while (true)
                {
                    forwarded = showProgress ? ForwardProgress(process.StandardOutput, forwarded, console) : forwarded;
                    var exited = await Task.WhenAny(process.Exited, Task.Delay(TimeSpan.FromMilliseconds(250), timeout.Token));
                    if (exited == process.Exited)
                    {
                        exitCode = await process.Exited;
                        break;
                    }

                    // WhenAny does not throw for the cancelled delay; without this the loop would spin.
                    timeout.Token.ThrowIfCancellationRequested();
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await process.StopAsync(StopGrace);
                throw new LabExperimentException($"storlane bench did not finish within {limit.TotalSeconds:0} s and was stopped; its last output:\n{Tail(process.StandardOutput)}\n{Tail(process.StandardError)}");
            }
            catch (OperationCanceledException)
            {
                await process.StopAsync(StopGrace);
                throw;
            }

            if (showProgress)
            {
                ForwardProgress(process.StandardOutput, forwarded, console);
            }

            if (side is not null)
            {
                await side;
            }

            // Ctrl-C reaches the bench too (and the lab's cleanup stops it): that is a cancellation, not a failure.
            cancellationToken.ThrowIfCancellationRequested();
            if (exitCode != 0)
            {
                throw new LabExperimentException($"storlane bench exited with code {exitCode}: {Tail(process.StandardError)}{Tail(process.StandardOutput)}");
            }
        }

        try
        {
            return await JsonReport.ReadAsync(invocation.JsonPath, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new LabExperimentException($"storlane bench finished but its result cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Runs <see cref="LabSuites.WarmUp"/> against <paramref name="target"/> and throws the result
    /// away: a freshly started target runs unoptimized code for its first second or so of traffic.
    /// </summary>
    public static async Task WarmUpAsync(ILabTopology topology, string target, double seconds, string directory, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var suite = await LabSuites.WriteAsync(directory, "warm-up-suite.yaml", LabSuites.WarmUp(seconds), cancellationToken);
        var json = Path.Combine(directory, "warm-up.json");
        console.MarkupLine($"warming up the target for {3 * seconds:0.#} s (not measured)");
        await RunAsync(topology, new BenchInvocation { Targets = [target], Suite = suite, Tests = 3, DurationSeconds = seconds, JsonPath = json }, console, null, cancellationToken, showProgress: false);
        File.Delete(json);
    }

    /// <summary>
    /// Waits until the bench prints the start of run <paramref name="run"/> (its "[run/total]" line,
    /// written just before the run's I/O begins) and returns that moment as a Stopwatch timestamp.
    /// </summary>
    public static async Task<long> WaitForRunStartAsync(LabProcess process, int run, CancellationToken cancellationToken)
    {
        var marker = "[" + run.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/";
        while (true)
        {
            if (ContainsLineStart(process.StandardOutput, marker))
            {
                return Stopwatch.GetTimestamp();
            }

            if (process.Exited.IsCompleted)
            {
                throw new LabExperimentException($"storlane bench ended before run {run} began: {Tail(process.StandardError)}");
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }

    private static bool ContainsLineStart(string output, string marker)
    {
        var at = output.IndexOf(marker, StringComparison.Ordinal);
        while (at >= 0)
        {
            if (at == 0 || output[at - 1] == '\n')
            {
                return true;
            }

            at = output.IndexOf(marker, at + 1, StringComparison.Ordinal);
        }

        return false;
    }

    /// <summary>Prints the bench's new "[n/total] test on A" lines, indented; returns how much of the output is done.</summary>
    private static int ForwardProgress(string output, int from, IAnsiConsole console)
    {
        var end = output.LastIndexOf('\n');
        if (end < from)
        {
            return from;
        }

        foreach (var line in output[from..end].Split('\n'))
        {
            if (line.StartsWith('['))
            {
                console.MarkupLine("    " + Markup.Escape(line.TrimEnd('\r')));
            }
        }

        return end + 1;
    }

    private static string Tail(string text) => text.Length <= 2000 ? text.Trim() : "..." + text[^2000..].Trim();
}
