using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;

namespace Storlane.Management.Tests;

/// <summary>
/// A real <c>storlane serve --config FILE</c> in its own process (storlane.dll is copied beside the
/// tests), ready once its API answers; stopped by its PID with SIGTERM, killed on dispose if still running.
/// </summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServeProcess(Process process, string socket)
    {
        _process = process;
        Socket = socket;
    }

    public string Socket { get; }

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

    public static async Task<ServeProcess> StartAsync(string config, string dataDirectory, string socket)
    {
        var start = new ProcessStartInfo(DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "storlane.dll"), "serve", "--config", config, "--data-dir", dataDirectory })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("RUNTIME_DIRECTORY");
        start.Environment.Remove("XDG_RUNTIME_DIR");
        var process = new Process { StartInfo = start };
        var serve = new ServeProcess(process, socket);
        process.OutputDataReceived += (_, e) => serve.Append(e.Data);
        process.ErrorDataReceived += (_, e) => serve.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = ApiHost.UnixClient(socket, token: null);
                await client.GetFromJsonAsync<TargetsResponse>("/api/v1/targets");
                return serve;
            }
            catch (HttpRequestException) when (!process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException)
            {
                await serve.DisposeAsync();
                throw new InvalidOperationException("storlane serve did not answer on its API:\n" + serve.Log);
            }
        }
    }

    /// <summary>SIGTERM by PID, as systemd stops it; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return _process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
        : "dotnet";

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
