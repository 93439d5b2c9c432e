using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Storage;
using Storlane.Target;
using Storlane.Target.Portals;

namespace Storlane.TestSupport;

/// <summary>
/// Storlane's iSCSI target in-process on loopback: one target with one portal per address (two by
/// default, portal groups 1 and 2, ephemeral ports), memory LUs, no NOP-In pings unless a test asks.
/// </summary>
public sealed class LoopbackTarget : IAsyncDisposable
{
    public const string DefaultName = "iqn.2026-11.io.storlane:test";

    private LoopbackTarget(IscsiTargetServer server, string name)
    {
        Server = server;
        Name = name;
    }

    /// <summary>LUN 0: 64 MiB of 512-byte blocks on 4 KiB physical blocks (512e); LUN 1: 64 MiB 4Kn.</summary>
    public static IReadOnlyList<LunOptions> DefaultLuns =>
        [MemoryLun(0, 64 << 20, 512, 4096), MemoryLun(1, 64 << 20, 4096, 4096)];

    public IscsiTargetServer Server { get; }

    public string Name { get; }

    /// <summary>The first portal's port.</summary>
    public int Port => Endpoint(0).Port;

    /// <summary>The second portal's port.</summary>
    public int SecondPort => Endpoint(1).Port;

    /// <summary>The default target with two portals on 127.0.0.1; <paramref name="configure"/> edits the server options last.</summary>
    public static Task<LoopbackTarget> StartAsync(Action<TargetServerOptions>? configure = null, ILocalAddressSource? addresses = null, TimeProvider? time = null) =>
        StartAsync(new LoopbackTargetOptions { Configure = configure is null ? null : (server, _) => configure(server), LocalAddresses = addresses, Time = time });

    /// <summary>The default target; <paramref name="configure"/> edits the server and target options last.</summary>
    public static Task<LoopbackTarget> StartAsync(Action<TargetServerOptions, TargetOptions> configure) =>
        StartAsync(new LoopbackTargetOptions { Configure = configure });

    /// <summary>The default target with LUN 0 served by <paramref name="lun0"/> (a fault-injecting device, say); LUN 1 stays 4Kn in memory.</summary>
    public static Task<LoopbackTarget> StartAsync(IBlockDevice lun0) =>
        StartAsync((_, target) => target.Luns[0] = new LunOptions { Lun = 0, Backend = LunBackend.Memory, Device = lun0 });

    public static async Task<LoopbackTarget> StartAsync(LoopbackTargetOptions options)
    {
        var serverOptions = new TargetServerOptions { NopInIntervalSeconds = 0 };
        for (var i = 0; i < options.PortalAddresses.Count; i++)
        {
            serverOptions.Portals.Add(new PortalOptions { Address = options.PortalAddresses[i], Port = 0, Group = (ushort)(i + 1) });
        }

        var target = new TargetOptions { Name = options.TargetName };
        target.Luns.AddRange(options.Luns ?? DefaultLuns);
        serverOptions.Targets.Add(target);
        options.Configure?.Invoke(serverOptions, target);
        var server = new IscsiTargetServer(serverOptions, options.LoggerFactory ?? NullLoggerFactory.Instance, options.LocalAddresses, options.Time);
        try
        {
            await server.StartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return new LoopbackTarget(server, options.TargetName);
    }

    /// <summary>A memory LU of <paramref name="sizeBytes"/> with the given geometry.</summary>
    public static LunOptions MemoryLun(ulong lun, long sizeBytes, int logicalBlockSize, int physicalBlockSize) =>
        new() { Lun = lun, Backend = LunBackend.Memory, SizeBytes = sizeBytes, LogicalBlockSize = logicalBlockSize, PhysicalBlockSize = physicalBlockSize };

    /// <summary>Where portal <paramref name="portal"/> listens.</summary>
    public IPEndPoint Endpoint(int portal) => Server.BoundEndpoints[portal];

    /// <summary><c>iscsi://[credentials@]address:port/target</c> through one portal, without the LUN.</summary>
    public string TargetUrl(int portal = 0, string? credentials = null)
    {
        var endpoint = Endpoint(portal);
        var user = credentials is null ? string.Empty : credentials + "@";
        return string.Create(CultureInfo.InvariantCulture, $"iscsi://{user}{endpoint.Address}:{endpoint.Port}/{Name}");
    }

    /// <summary><c>iscsi://[credentials@]address:port/target/lun</c> through one portal.</summary>
    public string Url(int lun, string? credentials = null, int portal = 0) =>
        TargetUrl(portal, credentials) + "/" + lun.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
