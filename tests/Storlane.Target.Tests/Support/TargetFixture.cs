using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Target;
using Storlane.Target.Portals;

namespace Storlane.Target.Tests.Support;

/// <summary>A started target with two in-memory LUNs (512n and 4Kn) on an ephemeral loopback port.</summary>
internal sealed class TargetFixture : IAsyncDisposable
{
    public const string TargetName = "iqn.2026-11.io.storlane:test";
    public const string Initiator = "iqn.2026-11.io.storlane:initiator";

    private TargetFixture(IscsiTargetServer server)
    {
        Server = server;
    }

    public IscsiTargetServer Server { get; }

    public static async Task<TargetFixture> StartAsync(Action<TargetServerOptions>? configure = null, ILocalAddressSource? addresses = null)
    {
        var options = new TargetServerOptions { NopInIntervalSeconds = 0 };
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 1 });
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 2 });
        var target = new TargetOptions { Name = TargetName };
        target.Luns.Add(new LunOptions { Lun = 0, Backend = LunBackend.Memory, SizeBytes = 64 << 20, LogicalBlockSize = 512, PhysicalBlockSize = 512 });
        target.Luns.Add(new LunOptions { Lun = 1, Backend = LunBackend.Memory, SizeBytes = 64 << 20, LogicalBlockSize = 4096, PhysicalBlockSize = 4096 });
        options.Targets.Add(target);
        configure?.Invoke(options);
        var server = new IscsiTargetServer(options, NullLoggerFactory.Instance, addresses);
        await server.StartAsync();
        return new TargetFixture(server);
    }

    public async Task<PduClient> LoginAsync(int portal = 0, params (string Key, string Value)[] keys)
    {
        var client = PduClient.Connect(Server, portal);
        await client.LoginAsync(Initiator, TargetName, keys);
        return client;
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
