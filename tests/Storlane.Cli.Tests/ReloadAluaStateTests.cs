using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Cli.Serving;
using Storlane.Cli.Serving.Changes;
using Storlane.Initiator.Session;
using Storlane.Management;
using Storlane.Scsi;
using Storlane.Target;

namespace Storlane.Cli.Tests;

/// <summary>
/// A reload (what SIGHUP runs) applies a changed <c>alua-state</c> live, as an implicit ALUA transition:
/// a logged-in initiator gets ASYMMETRIC ACCESS STATE CHANGED (2Ah/06h) and REPORT TARGET PORT GROUPS
/// shows the new state. All or nothing: with a change that needs a restart beside it, nothing moves.
/// </summary>
public sealed class ReloadAluaStateTests : IAsyncDisposable
{
    private const string TargetName = "iqn.2026-11.io.storlane:alua";
    private static readonly byte[] TestUnitReady = new byte[6];
    private static readonly byte[] Rtpg = [0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 0x04, 0x00, 0, 0];

    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-alua-").FullName;
    private readonly CollectingLoggerProvider _logs = new();
    private ILoggerFactory? _loggerFactory;
    private IscsiTargetServer? _server;
    private IscsiSession? _session;
    private int _anaNotices;

    private string ConfigPath => Path.Combine(_directory, "storlane.yaml");

    private static string Config(string group2State, string extraLun = "") => $$"""
        portals:
          - { address: 127.0.0.1, port: 0 }
          - { address: 127.0.0.1, port: 0, group: 2{{group2State}} }
        targets:
          - name: {{TargetName}}
            luns:
              - { lun: 0, backend: memory, size: 1MiB }
        {{extraLun}}
        """;

    [Fact]
    public async Task ChangedAluaState_IsAppliedLive_AndTheInitiatorHearsOfIt()
    {
        using var reloader = await ServeAsync(Config(""));
        Assert.True((await RunAsync(TestUnitReady)).IsGood);

        await File.WriteAllTextAsync(ConfigPath, Config(", alua-state: active-non-optimized"));
        await reloader.ReloadAsync();

        Assert.Contains(_logs.Lines, l => l.Contains("reloaded: now listening on", StringComparison.Ordinal) && l.Contains("portal group 2: active-non-optimized", StringComparison.Ordinal));
        var attention = await RunAsync(TestUnitReady);
        Assert.True(attention.IsUnitAttention, $"expected a unit attention, got {attention}");
        Assert.Equal((0x2A, 0x06), (attention.Sense!.Value.Asc, attention.Sense.Value.Ascq));
        Assert.Equal((byte)TargetPortGroupState.ActiveNonOptimized, (await ReportedStatesAsync())[2]);

        // The same file again changes nothing: no second unit attention.
        await reloader.ReloadAsync();
        Assert.True((await RunAsync(TestUnitReady)).IsGood);
    }

    [Fact]
    public async Task ChangedAluaState_BesideAChangeThatNeedsARestart_IsNotApplied()
    {
        using var reloader = await ServeAsync(Config(""));
        Assert.True((await RunAsync(TestUnitReady)).IsGood);

        await File.WriteAllTextAsync(ConfigPath, Config(", alua-state: standby", "  - { name: iqn.2026-11.io.storlane:another, luns: [ { lun: 0, backend: memory, size: 1MiB } ] }"));
        await reloader.ReloadAsync();

        Assert.Contains(_logs.Lines, l => l.Contains("reload refused, nothing changed", StringComparison.Ordinal) && l.Contains("target iqn.2026-11.io.storlane:another: added; needs a restart", StringComparison.Ordinal));
        Assert.True((await RunAsync(TestUnitReady)).IsGood);
        Assert.Equal((byte)TargetPortGroupState.ActiveOptimized, (await ReportedStatesAsync())[2]);
    }

    [Fact]
    public async Task ChangedAluaState_TellsNvmeHostsOfTheAnaChange()
    {
        using var reloader = await ServeAsync(Config(""));

        await File.WriteAllTextAsync(ConfigPath, Config(", alua-state: standby"));
        await reloader.ReloadAsync();
        Assert.Equal(1, _anaNotices);

        // The same file again changes no state, so no notice.
        await reloader.ReloadAsync();
        Assert.Equal(1, _anaNotices);
    }

    [Fact]
    public async Task LunTakenOfflineThroughTheApi_TellsNvmeHostsOfTheAnaChange()
    {
        using var reloader = await ServeAsync(Config(""));
        var changes = new ConfigChangeService(reloader);

        var result = await changes.ApplyAsync(new LunOfflineChange(TargetName, 0, Offline: true), CancellationToken.None);

        Assert.Equal(ChangeStatus.Applied, result.Status);
        Assert.Equal(1, _anaNotices);
    }

    /// <summary>Serves the config in-process and logs in through portal group 2.</summary>
    private async Task<ConfigReloader> ServeAsync(string config)
    {
        await File.WriteAllTextAsync(ConfigPath, config);
        var served = ConfigLoader.LoadServeFile(ConfigPath, _directory);
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs));
        _server = new IscsiTargetServer(served.Target, _loggerFactory);
        await _server.StartAsync();
        var group2 = _server.ListeningPortals.Single(p => p.Group == 2).Endpoint;
        _session = await IscsiSession.ConnectAsync(group2.Address.ToString(), group2.Port, TargetName);
        return new ConfigReloader(_server, served, File.ReadAllText(ConfigPath), new ServeSettings(ConfigPath, _directory, LogLevelSpec.Of(LogLevel.Information)), _loggerFactory.CreateLogger("Storlane.Cli"))
        {
            AnaChanged = () => Interlocked.Increment(ref _anaNotices),
        };
    }

    private async Task<ScsiCommandResult> RunAsync(byte[] cdb, Memory<byte> dataIn = default) =>
        await _session!.ExecuteAsync(0, cdb, dataIn, ReadOnlyMemory<byte>.Empty);

    /// <summary>REPORT TARGET PORT GROUPS: each group's ASYMMETRIC ACCESS STATE, by group.</summary>
    private async Task<Dictionary<int, byte>> ReportedStatesAsync()
    {
        var data = new byte[1024];
        var result = await RunAsync(Rtpg, data);
        Assert.True(result.IsGood, $"REPORT TARGET PORT GROUPS failed: {result}");
        var states = new Dictionary<int, byte>();
        var end = 4 + ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]);
        for (var at = 4; at < end; at += 8 + (4 * data[at + 7]))
        {
            states[(data[at + 2] << 8) | data[at + 3]] = (byte)(data[at] & 0x0F);
        }

        return states;
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _loggerFactory?.Dispose();
        _logs.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
