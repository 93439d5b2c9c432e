using System.Diagnostics;
using System.Text;
using Storlane.Lab.Processes;

namespace Storlane.Lab.Topology;

/// <summary>
/// A child process the lab started (a target, a bench), tracked by PID. Its output is captured as
/// it comes; stopping sends SIGTERM by PID and SIGKILL after a grace, never a signal by name.
/// Every live child is also stopped when the lab process is interrupted (see <see cref="LabCleanup"/>).
/// </summary>
public sealed class LabProcess : IAsyncDisposable
{
    /// <summary>Grace for <see cref="DisposeAsync"/>: storlane serve and bench stop well within it.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LabProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    public int Pid { get; private set; }

    /// <summary>Completes with the exit code when the process ends.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The command line, for reports and error messages.</summary>
    public string CommandLine { get; }

    /// <summary>Standard output captured so far.</summary>
    public string StandardOutput
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Standard error captured so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="info"/> (its output must be redirected) and tracks it until it exits.</summary>
    public static LabProcess Start(ProcessStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var commandLine = info.FileName + (info.ArgumentList.Count == 0 ? string.Empty : " " + string.Join(' ', info.ArgumentList));
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new LabProcess(process, commandLine);
        process.OutputDataReceived += (_, e) => Append(child._output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(child._error, e.Data);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new InvalidOperationException($"cannot start '{commandLine}': {e.Message}", e);
        }

        child.Pid = process.Id;
        ChildRegistry.Record(child.Pid);
        LabCleanup.Track(child);
        if (info.RedirectStandardInput)
        {
            // Nothing is typed into a lab child; closing stdin keeps it from waiting on a console.
            process.StandardInput.Close();
        }

        if (info.RedirectStandardOutput)
        {
            process.BeginOutputReadLine();
        }

        if (info.RedirectStandardError)
        {
            process.BeginErrorReadLine();
        }

        _ = child.WatchAsync();
        return child;
    }

    /// <summary>SIGTERM by PID, then SIGKILL when it has not exited after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Exited.IsCompleted)
        {
            return;
        }

        PosixSignals.Send(Pid, PosixSignals.SigTerm);
        if (await Task.WhenAny(Exited, Task.Delay(grace)).ConfigureAwait(false) == Exited)
        {
            return;
        }

        KillNow();
        await Exited.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(StopAsync(DefaultGrace));

    /// <summary>SIGKILL by PID at once; for signal handlers, which cannot wait.</summary>
    internal void KillNow()
    {
        if (!Exited.IsCompleted)
        {
            PosixSignals.Send(Pid, PosixSignals.SigKill);
        }
    }

    /// <summary>SIGTERM to all, wait up to <paramref name="grace"/>, SIGKILL to the rest: the blocking form for signal handlers.</summary>
    internal static void StopAllBlocking(IReadOnlyList<LabProcess> processes, TimeSpan grace)
    {
        var exits = new Task[processes.Count];
        for (var i = 0; i < processes.Count; i++)
        {
            if (!processes[i].Exited.IsCompleted)
            {
                PosixSignals.Send(processes[i].Pid, PosixSignals.SigTerm);
            }

            exits[i] = processes[i].Exited;
        }

        if (WaitAll(exits, grace))
        {
            return;
        }

        foreach (var process in processes)
        {
            process.KillNow();
        }

        WaitAll(exits, grace);
    }

    private static bool WaitAll(Task[] exits, TimeSpan timeout)
    {
        try
        {
            return Task.WaitAll(exits, timeout);
        }
        catch (AggregateException)
        {
            // A watcher failed; that process is beyond our reach anyway.
            return true;
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            // WaitForExitAsync also waits for the redirected output to be read to its end.
            await _process.WaitForExitAsync().ConfigureAwait(false);
            _exited.TrySetResult(_process.ExitCode);
        }
        catch (Exception e)
        {
            _exited.TrySetException(e);
        }
        finally
        {
            LabCleanup.Untrack(this);
            _process.Dispose();
        }
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.Append(line).Append('\n');
        }
    }
}
