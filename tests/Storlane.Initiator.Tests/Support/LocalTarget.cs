using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Storage;
using Storlane.Target;

namespace Storlane.Initiator.Tests.Support;

/// <summary>Storlane's own target, in-process on an ephemeral loopback port: LUN 0 is 512n, LUN 1 is 4Kn, both in memory.</summary>
internal sealed class LocalTarget : IAsyncDisposable
{
    public const string TargetName = "iqn.2026-11.io.storlane:initiator-tests";
    public const string ChapUser = "alice";
    public const string ChapSecret = "0123456789ab";
    public const string MutualUser = "target";
    public const string MutualSecret = "ba9876543210";

    private LocalTarget(IscsiTargetServer server)
    {
        Server = server;
    }

    public IscsiTargetServer Server { get; }

    public int Port => Server.BoundEndpoints[0].Port;

    public int SecondPort => Server.BoundEndpoints[1].Port;

    public static async Task<LocalTarget> StartAsync(Action<TargetServerOptions, TargetOptions>? configure = null)
    {
        var options = new TargetServerOptions { NopInIntervalSeconds = 0 };
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 1 });
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 2 });
        var target = new TargetOptions { Name = TargetName };
        target.Luns.Add(new LunOptions { Lun = 0, Backend = LunBackend.Memory, SizeBytes = 64 << 20, LogicalBlockSize = 512, PhysicalBlockSize = 4096 });
        target.Luns.Add(new LunOptions { Lun = 1, Backend = LunBackend.Memory, SizeBytes = 64 << 20, LogicalBlockSize = 4096, PhysicalBlockSize = 4096 });
        options.Targets.Add(target);
        configure?.Invoke(options, target);
        var server = new IscsiTargetServer(options, NullLoggerFactory.Instance);
        await server.StartAsync();
        return new LocalTarget(server);
    }

    /// <summary>The same target with LUN 0 served by <paramref name="lun0"/> (a fault-injecting device, say); LUN 1 stays 4Kn in memory.</summary>
    public static Task<LocalTarget> StartAsync(IBlockDevice lun0) =>
        StartAsync((_, target) => target.Luns[0] = new LunOptions { Lun = 0, Backend = LunBackend.Memory, Device = lun0 });

    public string Url(int lun, string? credentials = null) =>
        "iscsi://" + (credentials is null ? string.Empty : credentials + "@") + "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture) + "/" + TargetName + "/" + lun.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
