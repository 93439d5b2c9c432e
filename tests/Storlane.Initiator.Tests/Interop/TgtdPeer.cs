using System.Globalization;
using Storlane.TestSupport;

namespace Storlane.Initiator.Tests.Interop;

/// <summary>
/// tgtd (Debian `tgt`) on a free loopback port with its own control port (so its management socket
/// does not clash with another tgtd), one target and a 64 MiB file-backed LUN 1 (LUN 0 is tgtd's controller).
/// </summary>
internal sealed class TgtdPeer : IAsyncDisposable
{
    public const string TargetName = "iqn.2026-11.io.storlane:tgtd";

    private readonly PeerProcess _process;
    private readonly string _control;

    private TgtdPeer(PeerProcess process, int port, int controlPort)
    {
        _process = process;
        Port = port;
        _control = "-C " + controlPort.ToString(CultureInfo.InvariantCulture);
    }

    public int Port { get; }

    public string Url(string? credentials = null, string? query = null) =>
        $"iscsi://{(credentials is null ? string.Empty : credentials + "@")}127.0.0.1:{Port}/{TargetName}/1{query}";

    public static async Task<TgtdPeer> StartAsync()
    {
        var port = LoopbackPorts.Free();
        var controlPort = FreeControlPort();
        var folder = PeerProcess.NewScratchFolder("storlane-tgtd");
        var backing = Path.Combine(folder, "lun1.img");
        await using (var file = File.Create(backing))
        {
            file.SetLength(64 << 20);
        }

        var process = PeerProcess.Start("tgtd", $"-f -C {controlPort} --iscsi portal=127.0.0.1:{port}", folder);
        var peer = new TgtdPeer(process, port, controlPort);
        try
        {
            await process.WaitForPortAsync(port);
            await peer.AdminAsync($"--op new --mode target --tid 1 -T {TargetName}");
            await peer.AdminAsync($"--op new --mode logicalunit --tid 1 --lun 1 -b {backing}");
            await peer.AdminAsync("--op bind --mode target --tid 1 -I ALL");
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Requires one-way CHAP, and answers mutual CHAP when <paramref name="mutualUser"/> is given.</summary>
    public async Task RequireChapAsync(string user, string secret, string? mutualUser = null, string? mutualSecret = null)
    {
        await AdminAsync($"--op new --mode account --user {user} --password {secret}");
        await AdminAsync($"--op bind --mode account --tid 1 --user {user}");
        if (mutualUser is not null)
        {
            await AdminAsync($"--op new --mode account --user {mutualUser} --password {mutualSecret}");
            await AdminAsync($"--op bind --mode account --tid 1 --user {mutualUser} --outgoing");
        }
    }

    /// <summary>tgtd answers HeaderDigest/DataDigest with None unless the target is told to accept CRC32C.</summary>
    public async Task AllowDigestsAsync()
    {
        await AdminAsync("--op update --mode target --tid 1 -n HeaderDigest -v CRC32C,None");
        await AdminAsync("--op update --mode target --tid 1 -n DataDigest -v CRC32C,None");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>tgtd names its management socket /var/run/tgtd/socket.N and accepts N up to 32767; pick an unused N.</summary>
    private static int FreeControlPort()
    {
        while (true)
        {
            var candidate = Random.Shared.Next(1000, 32767);
            if (!File.Exists("/var/run/tgtd/socket." + candidate.ToString(CultureInfo.InvariantCulture)))
            {
                return candidate;
            }
        }
    }

    private Task AdminAsync(string arguments) => PeerProcess.RunAsync("tgtadm", $"{_control} --lld iscsi {arguments}");
}
