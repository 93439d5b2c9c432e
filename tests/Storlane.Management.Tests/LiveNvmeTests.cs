using System.Net;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Storlane.Initiator.Nvme;

namespace Storlane.Management.Tests;

/// <summary>
/// NVMe/TCP follows live changes made through the API of a real <c>storlane serve</c>: a LUN added is a
/// namespace the connected host is told of (Namespace Attribute Changed, then the Changed Namespace
/// List names it), a LUN removed is gone the same way, and a portal added takes NVMe/TCP connections
/// until it is removed.
/// </summary>
public sealed class LiveNvmeTests : IDisposable
{
    private const string TargetName = "iqn.2026-11.io.storlane:nvme-live";
    private const string Target = "/api/v1/targets/" + TargetName;
    private const string Nqn = "nqn.2014-08.org.storlane:" + TargetName;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly string _folder = Directory.CreateTempSubdirectory("storlane-nvme-live-").FullName;

    private string Config => Path.Combine(_folder, "storlane.yaml");

    private string Socket => Path.Combine(_folder, "api.sock");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task LunsAndPortalsChangedThroughTheApi_AreFollowedByNvmeTcp()
    {
        await File.WriteAllTextAsync(Config, $"""
            portals:
              - {"{"} address: 127.0.0.1, port: 0 {"}"}
            targets:
              - name: {TargetName}
                luns:
                  - {"{"} lun: 0, path: lun0.img, size: 16M {"}"}
            management:
              socket: {Socket}
            """);
        await using var serve = await ServeProcess.StartAsync(Config, _folder, Socket);
        using var api = ApiHost.UnixClient(Socket, token: null);
        var port = await NvmePortAsync(serve, "127.0.0.1", "listening on");
        await using var controller = await NvmeTcpController.ConnectAsync("127.0.0.1", port, Nqn, new NvmeHostOptions());
        Assert.True(controller.ReportsNamespaceChanges);
        var notices = Channel.CreateUnbounded<IReadOnlyList<uint>>();
        controller.NamespacesChanged += changed => notices.Writer.TryWrite(changed);

        // LUN 1 added: NSID 2 is named in the notice's list and answers Identify with its size.
        await LiveChangeTests.ChangeAsync(api, HttpMethod.Post, Target + "/luns", new { lun = 1, size = "8M", path = "lun1.img" });
        Assert.Contains(2u, await notices.Reader.ReadAsync().AsTask().WaitAsync(HangGuard));
        var added = await controller.IdentifyNamespaceAsync(2);
        Assert.Equal(8L << 20, added.BlockCount * added.BlockSize);

        // Removed: named again (the host re-armed the notice by reading the list), and no longer a namespace.
        await LiveChangeTests.ChangeAsync(api, HttpMethod.Delete, Target + "/luns/1", null);
        Assert.Contains(2u, await notices.Reader.ReadAsync().AsTask().WaitAsync(HangGuard));
        var gone = await Assert.ThrowsAsync<NvmeCommandException>(() => controller.IdentifyNamespaceAsync(2));
        Assert.Equal(Storlane.Nvme.NvmeStatus.InvalidNamespace, gone.Status);

        // A portal added gets its NVMe/TCP port at once; removed, it takes no new association.
        await LiveChangeTests.ChangeAsync(api, HttpMethod.Post, "/api/v1/portals", new { address = "127.0.0.2", port = 0, group = 1 });
        var addedPort = await NvmePortAsync(serve, "127.0.0.2", "listening on");
        await using (var throughAdded = await NvmeTcpController.ConnectAsync("127.0.0.2", addedPort, Nqn, new NvmeHostOptions()))
        {
            var lun0 = await throughAdded.IdentifyNamespaceAsync(1);
            Assert.Equal(16L << 20, lun0.BlockCount * lun0.BlockSize);
        }

        await LiveChangeTests.ChangeAsync(api, HttpMethod.Delete, "/api/v1/portals/127.0.0.2/0", null);
        Assert.Equal(addedPort, await NvmePortAsync(serve, "127.0.0.2", "no longer listening on"));
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await NvmeTcpController.ConnectAsync("127.0.0.2", addedPort, Nqn, new NvmeHostOptions())).DisposeAsync());

        Assert.True(controller.IsConnected, "the first association ended");
        Assert.Equal(0, await serve.StopAsync());
    }

    /// <summary>The NVMe/TCP I/O port serve logged for <paramref name="address"/> with <paramref name="verb"/>, once it is in the log.</summary>
    private static async Task<int> NvmePortAsync(ServeProcess serve, string address, string verb)
    {
        var pattern = new Regex("NVMe/TCP " + Regex.Escape(verb) + " " + Regex.Escape(address) + @":(\d+) \(I/O");
        using var guard = new CancellationTokenSource(HangGuard);
        while (true)
        {
            if (pattern.Match(serve.Log) is { Success: true } match)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            Assert.False(guard.IsCancellationRequested, $"serve never logged NVMe/TCP {verb} {address}:\n{serve.Log}");
            await Task.Delay(50);
        }
    }
}
