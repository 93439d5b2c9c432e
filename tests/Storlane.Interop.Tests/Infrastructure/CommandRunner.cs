using System.Diagnostics;
using System.Text;

namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>What a finished command printed and returned.</summary>
internal sealed record CommandResult(string Command, int ExitCode, string Output, string Error)
{
    /// <summary>What the storlane server logged up to the end of the command, when there was one.</summary>
    public string? ServerLog { get; init; }

    public override string ToString() =>
        $"$ {Command}\nexit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}"
        + (ServerLog is null ? string.Empty : $"\nstorlane serve log:\n{ServerLog}");
}

/// <summary>Runs a client to completion with a deadline; on timeout kills that process only.</summary>
internal static class CommandRunner
{
    /// <summary>Generous for a 64 MiB copy over loopback (about a second when healthy), short enough that a hung server fails fast.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static CommandResult Run(string file, IReadOnlyList<string> arguments) =>
        RunAsync(file, arguments).GetAwaiter().GetResult();

    public static async Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var commandLine = $"{file} {string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a))}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"{commandLine} did not finish within {(timeout ?? DefaultTimeout).TotalSeconds} s");
        }

        return new CommandResult(commandLine, process.ExitCode, await output, await error);
    }

    /// <summary>Asks a process we started to stop the way Ctrl-C or systemd would (by its PID only).</summary>
    public static async Task SignalAsync(int processId, string signal)
    {
        var result = await RunAsync("kill", [$"-{signal}", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(new StringBuilder("could not signal the process: ").Append(result).ToString());
        }
    }
}
