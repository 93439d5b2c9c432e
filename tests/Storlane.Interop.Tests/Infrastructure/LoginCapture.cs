using System.Diagnostics;
using System.Text;

namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// Watches one loopback port with tshark and keeps the text keys of every Login Response
/// (opcode 0x23), to prove what a session really negotiated: libiscsi carries on without digests
/// when a target answers HeaderDigest=None, so a passing data check alone proves nothing.
/// </summary>
internal sealed class LoginCapture : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LoginCapture(Process process)
    {
        _process = process;
    }

    public static async Task<LoginCapture> StartAsync(int port)
    {
        var start = new ProcessStartInfo(ExternalTools.Tshark)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-i", "lo", "-l", "-f", $"tcp port {port}", "-d", $"tcp.port=={port},iscsi",
            "-Y", "iscsi.opcode == 0x23", "-T", "fields", "-e", "iscsi.keyvalue",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var capture = new LoginCapture(process);
        var capturing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, e) => capture.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Capturing on", StringComparison.Ordinal) == true)
            {
                capturing.TrySetResult();
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await capturing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            await capture.DisposeAsync();
            throw new InvalidOperationException($"tshark did not start capturing on lo (it needs root or CAP_NET_RAW):\n{errors}");
        }

        return capture;
    }

    /// <summary>Stops tshark (SIGINT flushes what it decoded) and returns each Login Response's keys.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        // Let the last response cross loopback and the dissector before stopping.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        if (!_process.HasExited)
        {
            await CommandRunner.SignalAsync(_process.Id, "INT");
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        lock (_output)
        {
            return _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
