using System.Diagnostics;
using System.Text;

namespace Storlane.Cli.Tests;

/// <summary>
/// The real <c>storlane</c> program in its own process: <c>dotnet storlane.dll ARGS</c> (the build
/// copies the dll next to this test assembly), with stdout and stderr collected, or under
/// <c>script -qec</c> so it sees a pseudo-terminal as on a user's screen. Stopped by its PID on dispose.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private CliProcess(ProcessStartInfo start)
    {
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet storlane.dll</c> with its output redirected to this test.</summary>
    public static CliProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(DllPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new CliProcess(start);
    }

    /// <summary>Starts <c>script -qec "dotnet storlane.dll ARGS" /dev/null</c>: storlane's stdin and stdout are a pseudo-terminal, as in an interactive shell.</summary>
    public static CliProcess StartInTerminal(params string[] arguments)
    {
        var command = new StringBuilder(Quote(DotnetHost)).Append(' ').Append(Quote(DllPath));
        foreach (var argument in arguments)
        {
            command.Append(' ').Append(Quote(argument));
        }

        var start = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[] { "-qec", command.ToString(), "/dev/null" })
        {
            start.ArgumentList.Add(argument);
        }

        // A terminal type and size Spectre can draw a live progress bar on.
        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLUMNS"] = "120";
        return new CliProcess(start);
    }

    /// <summary>Waits for the exit and returns its code; a process still running after <paramref name="timeout"/> is killed and the test fails.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"storlane did not exit within {timeout.TotalSeconds} s; output so far:\n{Output}\n{Error}");
        }

        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Waits until the output holds <paramref name="text"/>, or fails the test after <paramref name="timeout"/>.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) => WaitForAsync(() => Output, text, timeout);

    /// <summary>Waits until stderr holds <paramref name="text"/>, or fails the test after <paramref name="timeout"/>.</summary>
    public Task WaitForErrorAsync(string text, TimeSpan timeout) => WaitForAsync(() => Error, text, timeout);

    private async Task WaitForAsync(Func<string> stream, string text, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!stream().Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || stopwatch.Elapsed > timeout)
            {
                Assert.Fail($"storlane did not print '{text}' (exited: {_process.HasExited}); output:\n{Output}\n{Error}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends SIGINT (as Ctrl-C does) <paramref name="times"/> times back to back, by PID, with kill(1).</summary>
    public async Task InterruptAsync(int times = 1)
    {
        var kills = string.Join("; ", Enumerable.Repeat($"kill -s INT {_process.Id}", times));
        using var kill = Process.Start(new ProcessStartInfo("sh") { ArgumentList = { "-c", kills } })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static string DllPath => Path.Combine(AppContext.BaseDirectory, "storlane.dll");

    /// <summary>The dotnet host running this test, so storlane runs on the same runtime.</summary>
    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
        : "dotnet";

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}
