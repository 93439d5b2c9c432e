using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Nvme.Target;
using Storlane.Scsi;
using Storlane.Storage;

namespace Storlane.Nvme.Tests.Support;

/// <summary>A running NVMe/TCP target on 127.0.0.1: one subsystem with a 512-byte LUN 0 and a 4096-byte LUN 1.</summary>
internal sealed class TargetFixture : IAsyncDisposable
{
    public const string TargetName = "iqn.2026-11.io.storlane:nvme-test";

    private TargetFixture(NvmeTcpServer server, ScsiTargetDevice device)
    {
        Server = server;
        Device = device;
    }

    public NvmeTcpServer Server { get; }

    public ScsiTargetDevice Device { get; }

    public static string Nqn => NvmeTargetOptions.DeriveNqn(TargetName);

    public IPEndPoint IoEndpoint => Server.ListeningPortals[0].Endpoint;

    public IPEndPoint DiscoveryEndpoint => Server.ListeningPortals[^1].Endpoint;

    public static async Task<TargetFixture> StartAsync(NvmeLimits? limits = null, int ioPortals = 1, bool unmap = true)
    {
        var device = new ScsiTargetDevice(TargetName);
        var features = unmap ? BlockDeviceFeatures.Unmap : BlockDeviceFeatures.None;
        device.AddLogicalUnit(0, new MemoryBlockDevice(new BlockGeometry(512, 4096, 8192), features));
        device.AddLogicalUnit(1, new MemoryBlockDevice(new BlockGeometry(4096, 4096, 1024), features));
        var options = new NvmeTargetOptions { Limits = limits ?? new NvmeLimits() };
        for (var i = 0; i < ioPortals; i++)
        {
            options.Portals.Add(new NvmePortal("127.0.0.1", 0, (ushort)(i + 1), false));
        }

        options.Portals.Add(new NvmePortal("127.0.0.1", 0, 1, true));
        options.Subsystems.Add(new NvmeSubsystemOptions(Nqn, device, []));
        var server = new NvmeTcpServer(options, NullLoggerFactory.Instance);
        await server.StartAsync();
        return new TargetFixture(server, device);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
