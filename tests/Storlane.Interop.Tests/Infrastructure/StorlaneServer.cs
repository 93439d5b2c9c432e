using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// A real <c>storlane serve</c> process. Started ready: <see cref="StartAsync"/> returns once the
/// server printed its <c>ready:</c> line, whose endpoints give the ports it actually bound
/// (configs here use port 0, so parallel tests never collide). Disposing kills this process, by
/// its own Process object, if it is still running.
/// </summary>
internal sealed partial class StorlaneServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<IReadOnlyList<IPEndPoint>> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StorlaneServer(Process process)
    {
        _process = process;
    }

    /// <summary>The server's process id, for signals.</summary>
    public int Pid => _process.Id;

    /// <summary>Every endpoint the server bound, in portal order.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints { get; private set; } = [];

    /// <summary>The first portal as host:port, the form iscsi:// URLs and qemu's portal= option take.</summary>
    public string Portal => Endpoints[0].ToString();

    /// <summary>Everything the server printed so far, stdout and stderr interleaved.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="configPath">The config; null runs the built-in default.</param>
    /// <param name="dataDirectory">--data-dir; null keeps the default ($XDG_DATA_HOME/storlane: give <paramref name="environment"/> one).</param>
    /// <param name="launcher">A command that runs the server, e.g. <c>ip netns exec NS</c>; it must exec, so the PID stays the server's.</param>
    /// <param name="environment">Variables set (or, with a null value, removed) for the server.</param>
    public static async Task<StorlaneServer> StartAsync(string? configPath, string? dataDirectory, string workingDirectory, IReadOnlyList<string>? launcher = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : StorlaneCli.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        var arguments = new List<string>();
        if (launcher is { Count: > 0 })
        {
            arguments.AddRange(launcher.Skip(1));
            arguments.Add(StorlaneCli.DotnetHost);
        }

        arguments.AddRange([StorlaneCli.DllPath, "serve"]);
        if (configPath is not null)
        {
            arguments.AddRange(["--config", configPath]);
        }

        if (dataDirectory is not null)
        {
            arguments.AddRange(["--data-dir", dataDirectory]);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The management API's socket then goes to the data folder, one per test, instead of the
        // session's runtime folder, where parallel servers would find each other's.
        start.Environment.Remove("RUNTIME_DIRECTORY");
        start.Environment.Remove("XDG_RUNTIME_DIR");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new StorlaneServer(process);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Exited += (_, _) => server.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            server.Endpoints = await server._ready.Task.WaitAsync(ReadyTimeout);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"storlane serve printed no ready line within {ReadyTimeout.TotalSeconds} s:\n{server.Log}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Sends SIGTERM, as systemd or Ctrl-C would, and returns the exit code once it has stopped.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            await CommandRunner.SignalAsync(_process.Id, "TERM");
        }

        using var deadline = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"storlane serve did not stop within {StopTimeout.TotalSeconds} s of SIGTERM:\n{Log}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped: nothing left to stop.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        var match = ReadyLine().Match(line);
        if (match.Success)
        {
            _ready.TrySetResult([.. match.Groups["endpoints"].Value.Split(", ").Select(IPEndPoint.Parse)]);
        }
    }

    private void OnExited()
    {
        // Output events can trail the exit event; WaitForExit() drains them before we report.
        _process.WaitForExit();
        _ready.TrySetException(new InvalidOperationException($"storlane serve exited with code {_process.ExitCode} before it was ready:\n{Log}"));
    }

    [GeneratedRegex(@"ready: (?<targets>\S.*) on (?<endpoints>\S.*)$")]
    private static partial Regex ReadyLine();
}
