using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Cli.Serving;
using Storlane.Nvme.Target;
using Storlane.Target;
using Storlane.TestSupport;

namespace Storlane.Cli.Tests;

/// <summary>
/// A reload (what SIGHUP runs) gives a portal added its NVMe/TCP ports and takes them from one removed.
/// An NVMe/TCP port that cannot be bound refuses the reload whole with <c>nvme: enabled: true</c>, the
/// iSCSI portal it came with included, naming the port; by default (loopback) it is only a warning, as
/// at start, and the iSCSI portal is served.
/// </summary>
public sealed class ReloadNvmePortalTests : IAsyncDisposable
{
    private const string TargetName = "iqn.2026-11.io.storlane:nvme-portals";
    private static readonly IPAddress Added = IPAddress.Parse("127.0.0.2");

    private readonly TempDirectory _directory = new("storlane-nvme-portals-");
    private readonly CollectingLoggerProvider _logs = new();
    private ILoggerFactory? _loggerFactory;
    private IscsiTargetServer? _server;
    private NvmeTcpServer? _nvme;

    private string ConfigPath => _directory.PathOf("storlane.yaml");

    private static string Config(string portals, string nvme) => $$"""
        portals:
        {{portals}}
        targets:
          - name: {{TargetName}}
            luns:
              - { lun: 0, backend: memory, size: 1MiB }
        nvme:
        {{nvme}}
        """;

    [Fact]
    public async Task PortalAdded_GetsNvmePorts_AndLosesThemWhenRemoved()
    {
        // Group 2 exists from the start: a new portal group needs a restart.
        const string First = "  - { address: 127.0.0.1, port: 0 }\n  - { address: 127.0.0.1, port: 0, group: 2 }";
        const string Second = "\n  - { address: 127.0.0.2, port: 0, group: 2 }";
        using var reloader = await ServeAsync(Config(First, "  enabled: loopback"));
        Assert.DoesNotContain(_nvme!.ListeningPortals, p => p.Endpoint.Address.Equals(Added));

        await File.WriteAllTextAsync(ConfigPath, Config(First + Second, "  enabled: loopback"));
        await reloader.ReloadAsync();

        var added = _nvme.ListeningPortals.Where(p => p.Endpoint.Address.Equals(Added)).ToList();
        Assert.True(added.Count == 2, "expected an I/O and a discovery port at 127.0.0.2; the log:\n" + string.Join("\n", _logs.Lines));
        Assert.Equal([false, true], added.Select(p => p.IsDiscovery).Order());
        Assert.All(added, p => Assert.Equal(2, p.Group));
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(added.First(p => !p.IsDiscovery).Endpoint);
        }

        await File.WriteAllTextAsync(ConfigPath, Config(First, "  enabled: loopback"));
        await reloader.ReloadAsync();
        Assert.DoesNotContain(_nvme.ListeningPortals, p => p.Endpoint.Address.Equals(Added));
        using var refused = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => refused.ConnectAsync(added.First(p => !p.IsDiscovery).Endpoint));
    }

    [Fact]
    public async Task NvmePortThatCannotBind_RefusesTheReload_WithItsIscsiPortal()
    {
        var (iscsiPort, nvmePort, otherIscsiPort) = (LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        var nvme = $"  enabled: true\n  port: {nvmePort}\n  discovery-port: 0";
        var first = $"  - {{ address: 127.0.0.1, port: {iscsiPort} }}";
        using var reloader = await ServeAsync(Config(first, nvme));

        using var squatter = Squat(new IPEndPoint(Added, nvmePort));
        await File.WriteAllTextAsync(ConfigPath, Config(first + $"\n  - {{ address: 127.0.0.2, port: {otherIscsiPort} }}", nvme));
        await reloader.ReloadAsync();

        Assert.Contains(_logs.Lines, l => l.Contains("reload refused, nothing changed", StringComparison.Ordinal) && l.Contains($"NVMe/TCP portal 127.0.0.2:{nvmePort}: cannot listen (AddressAlreadyInUse", StringComparison.Ordinal));
        Assert.DoesNotContain(_server!.ListeningPortals, p => p.Endpoint.Address.Equals(Added));
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, nvmePort)], _nvme!.ListeningPortals.Select(p => p.Endpoint).ToArray());

        // Refused means not applied: once the port is free, the same file applies.
        squatter.Dispose();
        await reloader.ReloadAsync();
        Assert.Contains(_nvme.ListeningPortals, p => p.Endpoint.Equals(new IPEndPoint(Added, nvmePort)));
        Assert.Contains(_server.ListeningPortals, p => p.Endpoint.Equals(new IPEndPoint(Added, otherIscsiPort)));
    }

    [Fact]
    public async Task NvmePortThatCannotBind_ByDefault_IsAWarning_AndTheIscsiPortalServes()
    {
        var (iscsiPort, nvmePort, otherIscsiPort) = (LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        var nvme = $"  port: {nvmePort}\n  discovery-port: 0";
        var first = $"  - {{ address: 127.0.0.1, port: {iscsiPort} }}";
        using var reloader = await ServeAsync(Config(first, nvme));

        using var squatter = Squat(new IPEndPoint(Added, nvmePort));
        await File.WriteAllTextAsync(ConfigPath, Config(first + $"\n  - {{ address: 127.0.0.2, port: {otherIscsiPort} }}", nvme));
        await reloader.ReloadAsync();

        Assert.Contains(_logs.Lines, l => l.Contains($"NVMe/TCP does not listen on 127.0.0.2:{nvmePort}", StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, l => l.Contains("reloaded: now listening on", StringComparison.Ordinal));
        Assert.Contains(_server!.ListeningPortals, p => p.Endpoint.Equals(new IPEndPoint(Added, otherIscsiPort)));
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, nvmePort)], _nvme!.ListeningPortals.Select(p => p.Endpoint).ToArray());
    }

    /// <summary>Something else listening on <paramref name="endpoint"/>, as another target holding 4420 would.</summary>
    private static Socket Squat(IPEndPoint endpoint)
    {
        var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(endpoint);
        squatter.Listen();
        return squatter;
    }

    /// <summary>Serves the config in-process, iSCSI and NVMe/TCP, with the reloader serve wires.</summary>
    private async Task<ConfigReloader> ServeAsync(string config)
    {
        await File.WriteAllTextAsync(ConfigPath, config);
        var served = ConfigLoader.LoadServeFile(ConfigPath, _directory.Root);
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs));
        var logger = _loggerFactory.CreateLogger("Storlane.Cli");
        _server = new IscsiTargetServer(served.Target, _loggerFactory);
        await _server.StartAsync();
        _nvme = await NvmeServing.StartAsync(served, _server, _loggerFactory, logger, CancellationToken.None);
        Assert.NotNull(_nvme);
        return new ConfigReloader(_server, served, File.ReadAllText(ConfigPath), new ServeSettings(ConfigPath, _directory.Root, LogLevelSpec.Of(LogLevel.Information)), logger) { Nvme = _nvme };
    }

    public async ValueTask DisposeAsync()
    {
        if (_nvme is not null)
        {
            await _nvme.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _loggerFactory?.Dispose();
        _logs.Dispose();
        _directory.Dispose();
    }
}
