using System.Diagnostics;
using System.Text;

namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// tshark writing one loopback port's packets to a pcap file, then reading it back with a dissector
/// forced onto that port (decode-as), for checks of what really went over the wire.
/// </summary>
internal sealed class PacketCapture : IAsyncDisposable
{
    private readonly Process _process;

    private PacketCapture(Process process, string file)
    {
        _process = process;
        File = file;
    }

    public string File { get; }

    public static async Task<PacketCapture> StartAsync(int port, string file)
    {
        var start = new ProcessStartInfo(ExternalTools.Tshark)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-i", "lo", "-f", $"tcp port {port}", "-w", file })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var capturing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, _) => { };
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
        var capture = new PacketCapture(process, file);
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

    /// <summary>Stops the capture (SIGINT: tshark flushes the file and exits).</summary>
    public async Task StopAsync()
    {
        // Let the last segments cross loopback before stopping.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        if (!_process.HasExited)
        {
            await CommandRunner.SignalAsync(_process.Id, "INT");
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Reads the file back: one line per packet of tab-separated <paramref name="fields"/>, <paramref name="decodeAs"/> on the port.</summary>
    public Task<IReadOnlyList<string[]>> DecodeAsync(int port, string decodeAs, IReadOnlyList<string> preferences, params string[] fields) =>
        ReadAsync(port, decodeAs, preferences, null, fields);

    /// <summary>The packets a display filter matches (frame number and expert message of each).</summary>
    public Task<IReadOnlyList<string[]>> MatchingAsync(int port, string decodeAs, string filter) =>
        ReadAsync(port, decodeAs, [], filter, ["frame.number", "_ws.expert.message"]);

    private async Task<IReadOnlyList<string[]>> ReadAsync(int port, string decodeAs, IReadOnlyList<string> preferences, string? filter, string[] fields)
    {
        var arguments = new List<string> { "-r", File, "-d", $"tcp.port=={port},{decodeAs}", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=," };
        foreach (var preference in preferences)
        {
            arguments.Add("-o");
            arguments.Add(preference);
        }

        if (filter is not null)
        {
            arguments.Add("-Y");
            arguments.Add(filter);
        }

        foreach (var field in fields)
        {
            arguments.Add("-e");
            arguments.Add(field);
        }

        var result = await CommandRunner.RunAsync(ExternalTools.Tshark, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"tshark -r {File} failed ({result.ExitCode}): {result.Error}");
        }

        var lines = new List<string[]>();
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            lines.Add(line.TrimEnd('\r').Split('\t'));
        }

        return lines;
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
}
