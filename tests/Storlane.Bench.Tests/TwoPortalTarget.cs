using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Target;

namespace Storlane.Bench.Tests;

/// <summary>
/// Storlane's own target, in-process, with two portals on two loopback addresses (127.0.0.1 and
/// 127.0.0.2, ephemeral ports, portal groups 1 and 2): two real paths to LUN 0 (64 MiB in memory);
/// LUN 1 is another LU, for grouping errors.
/// </summary>
internal sealed class TwoPortalTarget : IAsyncDisposable
{
    public const string TargetName = "iqn.2026-11.io.storlane:bench-tests";

    private TwoPortalTarget(IscsiTargetServer server)
    {
        Server = server;
    }

    public IscsiTargetServer Server { get; }

    public int FirstPort => Server.BoundEndpoints[0].Port;

    public int SecondPort => Server.BoundEndpoints[1].Port;

    public static async Task<TwoPortalTarget> StartAsync()
    {
        var options = new TargetServerOptions { NopInIntervalSeconds = 0 };
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 1 });
        options.Portals.Add(new PortalOptions { Address = "127.0.0.2", Port = 0, Group = 2 });
        var target = new TargetOptions { Name = TargetName };
        target.Luns.Add(new LunOptions { Lun = 0, Backend = LunBackend.Memory, SizeBytes = 64 << 20, LogicalBlockSize = 512, PhysicalBlockSize = 4096 });
        target.Luns.Add(new LunOptions { Lun = 1, Backend = LunBackend.Memory, SizeBytes = 16 << 20, LogicalBlockSize = 512, PhysicalBlockSize = 512 });
        options.Targets.Add(target);
        var server = new IscsiTargetServer(options, NullLoggerFactory.Instance);
        await server.StartAsync();
        return new TwoPortalTarget(server);
    }

    public string FirstUrl(int lun = 0) => Url("127.0.0.1", FirstPort, lun);

    public string SecondUrl(int lun = 0) => Url("127.0.0.2", SecondPort, lun);

    public string Multipath(string policy) => $"multipath:{policy}:{FirstUrl()}|{SecondUrl()}";

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    private static string Url(string host, int port, int lun) =>
        string.Create(CultureInfo.InvariantCulture, $"iscsi://{host}:{port}/{TargetName}/{lun}");
}
