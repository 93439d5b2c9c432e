using System.Diagnostics;

namespace Storlane.Lab.Topology.Namespaces;

/// <summary>
/// Runs one short system command (ip, tc, sysctl) to completion and returns its standard output;
/// a non-zero exit is a <see cref="LabTopologyException"/> carrying the command and its stderr.
/// </summary>
internal static class HostCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Start(fileName, arguments);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return Check(process, fileName, arguments, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    /// <summary>The blocking form, for cleanup from a signal handler or process exit.</summary>
    public static string Run(string fileName, IReadOnlyList<string> arguments)
    {
        using var process = Start(fileName, arguments);
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill();
            throw new LabTopologyException($"'{Format(fileName, arguments)}' did not finish within {Timeout.TotalSeconds:0} s");
        }

        return Check(process, fileName, arguments, output, error.GetAwaiter().GetResult());
    }

    /// <summary>True when <paramref name="fileName"/> can be started (found on PATH and executable).</summary>
    public static bool Exists(string fileName)
    {
        try
        {
            Run(fileName, ["-V"]);
            return true;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or LabTopologyException or InvalidOperationException)
        {
            return false;
        }
    }

    public static string Format(string fileName, IReadOnlyList<string> arguments) => fileName + " " + string.Join(' ', arguments);

    private static Process Start(string fileName, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new LabTopologyException($"cannot start '{Format(fileName, arguments)}'");
    }

    private static string Check(Process process, string fileName, IReadOnlyList<string> arguments, string output, string error)
    {
        if (process.ExitCode != 0)
        {
            var detail = error.Trim();
            throw new LabTopologyException($"'{Format(fileName, arguments)}' failed (exit {process.ExitCode}): {(detail.Length > 0 ? detail : output.Trim())}");
        }

        return output;
    }
}
