using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Storlane.Cli.Logging;
using Storlane.Cli.Serving;

namespace Storlane.Cli.Tests;

/// <summary><c>serve</c> run in-process: systemd's READY=1 after the portals listen, one log line per LUN and portal, a failed start that leaves nothing behind.</summary>
public sealed class ServeRunnerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-serve-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UnderSystemd_ReadyArrivesAfterThePortalListens_AndStoppingAtTheEnd(bool abstractSocket)
    {
        var name = abstractSocket ? $"@storlane-test-{Guid.NewGuid():N}" : Path.Combine(_directory, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(abstractSocket ? "\0" + name[1..] : name));
        var config = await WriteConfigAsync(port: 0, "{ lun: 0, path: a.img, size: 1M }, { lun: 1, backend: memory, size: 1M }");
        using var logs = new CollectingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var stop = new CancellationTokenSource();
        var settings = new ServeSettings(config, _directory, LogLevelSpec.Of(LogLevel.Information)) { NotifySocket = name };

        var run = Task.Run(() => new ServeRunner(settings, TextWriter.Null, loggerFactory).RunAsync(stop.Token));
        var ready = await ReceiveAsync(notify);

        Assert.StartsWith("READY=1\nSTATUS=serving iqn.2026-11.io.storlane:t on 127.0.0.1:", ready, StringComparison.Ordinal);
        var endpoint = IPEndPoint.Parse(ready[(ready.LastIndexOf(' ') + 1)..]);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(endpoint);
            Assert.True(client.Connected);
        }

        var lines = logs.Lines;
        Assert.Single(lines, l => l.Contains("LUN 0", StringComparison.Ordinal) || l.Contains("/0:", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("LUN 1", StringComparison.Ordinal) || l.Contains("/1:", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains(endpoint.ToString(), StringComparison.Ordinal) && !l.Contains("ready:", StringComparison.Ordinal));

        await stop.CancelAsync();
        Assert.Equal("STOPPING=1", await ReceiveAsync(notify));
        Assert.Equal(ExitCodes.Success, await run.WaitAsync(Patience));
    }

    [Fact]
    public async Task AFailedStart_RemovesTheImagesItCreated_AndOnlyThose()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var existing = Path.Combine(_directory, "old.img");
        await File.WriteAllBytesAsync(existing, new byte[1 << 20]);
        var config = await WriteConfigAsync(port, "{ lun: 0, path: old.img, size: 1M }, { lun: 1, path: new.img, size: 1M }, { lun: 2, path: new-encrypted.img, size: 1M, encrypted: true }");
        using var error = new StringWriter();

        var code = await new ServeRunner(new ServeSettings(config, _directory, LogLevelSpec.Of(LogLevel.None)), error).RunAsync(CancellationToken.None);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("cannot start", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(["c.yaml", "old.img"], Directory.EnumerateFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(1 << 20, new FileInfo(existing).Length);
    }

    private async Task<string> WriteConfigAsync(int port, string luns)
    {
        var path = Path.Combine(_directory, "c.yaml");
        await File.WriteAllTextAsync(path, $$"""
            portals: [{ address: 127.0.0.1, port: {{port}} }]
            targets: [{ name: "iqn.2026-11.io.storlane:t", luns: [{{luns}}] }]
            """);
        return path;
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Patience);
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received);
    }
}
