using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Nvme.Target;
using Storlane.Scsi;
using Storlane.Storage;

namespace Storlane.Initiator.Tests.Nvme;

/// <summary>
/// Storlane's NVMe/TCP target in-process on loopback: one subsystem with a 512-byte LUN 0 (NSID 1)
/// and a 4096-byte LUN 1 (NSID 2), in memory, on one portal per address given (each its own portal
/// group, so its own ANA state).
/// </summary>
internal sealed class NvmeLocalTarget : IAsyncDisposable
{
    public const string TargetName = "iqn.2026-11.io.storlane:nvme-host-tests";

    private NvmeLocalTarget(NvmeTcpServer server, ScsiTargetDevice device)
    {
        Server = server;
        Device = device;
    }

    public NvmeTcpServer Server { get; }

    public ScsiTargetDevice Device { get; }

    public static string Nqn => NvmeTargetOptions.DeriveNqn(TargetName);

    public static async Task<NvmeLocalTarget> StartAsync(params string[] addresses)
    {
        addresses = addresses.Length == 0 ? ["127.0.0.1"] : addresses;
        var device = new ScsiTargetDevice(TargetName);
        device.AddLogicalUnit(0, new MemoryBlockDevice(new BlockGeometry(512, 4096, 32768), BlockDeviceFeatures.Unmap));
        device.AddLogicalUnit(1, new MemoryBlockDevice(new BlockGeometry(4096, 4096, 4096), BlockDeviceFeatures.Unmap));
        var options = new NvmeTargetOptions();
        for (var i = 0; i < addresses.Length; i++)
        {
            options.Portals.Add(new NvmePortal(addresses[i], 0, (ushort)(i + 1), false));
        }

        options.Subsystems.Add(new NvmeSubsystemOptions(Nqn, device, []));
        var server = new NvmeTcpServer(options, NullLoggerFactory.Instance);
        await server.StartAsync();
        return new NvmeLocalTarget(server, device);
    }

    public IPEndPoint Endpoint(int portal) => Server.ListeningPortals[portal].Endpoint;

    public string Url(uint nsid, int portal = 0, string query = "") =>
        "nvme+tcp://" + Endpoint(portal).Address + ":" + Endpoint(portal).Port.ToString(CultureInfo.InvariantCulture) + "/" + Nqn + "/" + nsid.ToString(CultureInfo.InvariantCulture) + query;

    /// <summary>Sets a portal group's ALUA state on the SCSI side and tells NVMe hosts (ANA change AER).</summary>
    public void SetGroupState(ushort group, TargetPortGroupState state)
    {
        Device.SetTargetPortGroupState(group, state);
        Server.NotifyAnaChange();
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
