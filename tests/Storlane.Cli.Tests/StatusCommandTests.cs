using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Cli.Logging;
using Storlane.Cli.Serving;
using Storlane.Initiator.Session;

namespace Storlane.Cli.Tests;

/// <summary><c>storlane status</c> and <c>sessions</c> against a serve running in-process, over its management socket.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private const string TargetName = "iqn.2026-11.io.storlane:status";
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-status-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task StatusAndSessions_ShowWhatServeServesAndWhoIsLoggedIn()
    {
        var socket = Path.Combine(_directory, "api.sock");
        var config = Path.Combine(_directory, "storlane.yaml");
        await File.WriteAllTextAsync(config, $"""
            portals:
              - {"{"} address: 127.0.0.1, port: 0 {"}"}
            targets:
              - name: {TargetName}
                luns:
                  - {"{"} lun: 0, backend: memory, size: 4M, physical-block-size: 4096 {"}"}
            management:
              socket: {socket}
            """);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => new ServeRunner(new ServeSettings(config, _directory, LogLevelSpec.Of(LogLevel.None)), TextWriter.Null, NullLoggerFactory.Instance).RunAsync(stop.Token));
        try
        {
            var status = await WaitForServeAsync(socket);
            Assert.Equal(0, status.ExitCode);
            Assert.Contains(TargetName + "  0    memory   4 MiB  512/4096  1:active/optimized  rw", status.Output, StringComparison.Ordinal);
            var port = int.Parse(status.Output.Split("127.0.0.1:")[2].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

            await using var session = await IscsiSession.ConnectAsync("127.0.0.1", port, TargetName);
            var sessions = await CliRun.RunAsync("sessions", "--api", socket);
            Assert.Equal(0, sessions.ExitCode);
            Assert.StartsWith("TSIH  INITIATOR", sessions.Output, StringComparison.Ordinal);
            Assert.Contains(TargetName, sessions.Output, StringComparison.Ordinal);

            var json = await CliRun.RunAsync("sessions", "--json", "--api", socket);
            using var parsed = JsonDocument.Parse(json.Output);
            Assert.Equal(session.Tsih, Assert.Single(parsed.RootElement.EnumerateArray()).GetProperty("tsih").GetUInt16());
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(ExitCodes.Success, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.False(File.Exists(socket), "serve removes its socket when it stops");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("sessions")]
    public async Task NoServeListening_IsOneClearLineAndExitCode1(string command)
    {
        var socket = Path.Combine(_directory, "nobody.sock");
        var (exitCode, output, error) = await CliRun.RunAsync(command, "--api", socket);
        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Empty(output);
        Assert.Equal($"storlane: no storlane serve is listening on {socket} (give its socket with --api PATH)" + Environment.NewLine, error);
    }

    private static async Task<(int ExitCode, string Output, string Error)> WaitForServeAsync(string socket)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await CliRun.RunAsync("status", "--api", socket);
            if (result.ExitCode == 0 || attempt == 300)
            {
                return result;
            }

            await Task.Delay(100);
        }
    }
}
