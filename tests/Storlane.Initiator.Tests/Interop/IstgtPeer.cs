using Storlane.TestSupport;
namespace Storlane.Initiator.Tests.Interop;

/// <summary>istgt on a free loopback port, configured by a generated istgt.conf: one 64 MiB file-backed LUN 0 on target "disk1".</summary>
internal sealed class IstgtPeer : IAsyncDisposable
{
    public const string NodeBase = "iqn.2026-11.io.storlane.istgt";
    public const string TargetName = NodeBase + ":disk1";

    private readonly PeerProcess _process;

    private IstgtPeer(PeerProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url(string? credentials = null, string? query = null) =>
        $"iscsi://{(credentials is null ? string.Empty : credentials + "@")}127.0.0.1:{Port}/{TargetName}/0{query}";

    /// <summary><paramref name="authMethod"/>: "None", "CHAP" or "CHAP Mutual"; <paramref name="auth"/> lines for the auth file.</summary>
    public static async Task<IstgtPeer> StartAsync(string authMethod = "Auto", string auth = "")
    {
        var port = LoopbackPorts.Free();
        var folder = PeerProcess.NewScratchFolder("storlane-istgt");
        var backing = Path.Combine(folder, "lun0.img");
        var authFile = Path.Combine(folder, "auth.conf");
        await File.WriteAllTextAsync(authFile, "[AuthGroup1]\n  Comment \"tests\"\n" + auth + "\n");
        var config = $"""
            [Global]
              NodeBase "{NodeBase}"
              PidFile {Path.Combine(folder, "istgt.pid")}
              AuthFile {authFile}
              MediaDirectory {folder}
              LogFacility "local7"
              Timeout 30
              NopInInterval 20
              DiscoveryAuthMethod Auto
              MaxSessions 16
              MaxConnections 4
              MaxR2T 32
              MaxOutstandingR2T 16
              DefaultTime2Wait 2
              DefaultTime2Retain 60
              FirstBurstLength 262144
              MaxBurstLength 1048576
              MaxRecvDataSegmentLength 262144
              InitialR2T Yes
              ImmediateData Yes
              DataPDUInOrder Yes
              DataSequenceInOrder Yes
              ErrorRecoveryLevel 0
            [UnitControl]
              Comment "no controller portal"
              AuthMethod None
            [PortalGroup1]
              Comment "loopback"
              Portal DA1 127.0.0.1:{port}
            [InitiatorGroup1]
              Comment "everyone on loopback"
              InitiatorName "ALL"
              Netmask 127.0.0.0/8
            [LogicalUnit1]
              Comment "test disk"
              TargetName disk1
              Mapping PortalGroup1 InitiatorGroup1
              AuthMethod {authMethod}
              AuthGroup AuthGroup1
              UseDigest Auto
              UnitType Disk
              LUN0 Storage {backing} 64MB

            """;
        var configFile = Path.Combine(folder, "istgt.conf");
        await File.WriteAllTextAsync(configFile, config);
        var process = PeerProcess.Start("istgt", $"-D -q -c {configFile}", folder);
        var peer = new IstgtPeer(process, port);
        try
        {
            await process.WaitForPortAsync(port);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
