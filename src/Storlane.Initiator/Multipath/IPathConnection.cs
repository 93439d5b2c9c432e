using Storlane.Initiator.Port;
using Storlane.Initiator.Scsi;

namespace Storlane.Initiator.Multipath;

/// <summary>What a path learns about its LU when it connects: identity, geometry, limits, and its port group.</summary>
internal sealed record PathLuInfo(
    DeviceDesignator? Designator,
    int BlockSize,
    int PhysicalBlockSize,
    long BlockCount,
    int MaxTransferBlocks,
    uint MaxUnmapBlocks,
    ushort? TargetPortGroup);

/// <summary>
/// One path's transport and port, whatever the protocol: an iSCSI session (<see cref="PathConnection"/>)
/// or an NVMe/TCP controller association (<see cref="Nvme.NvmePathConnection"/>). The multipath
/// layer sends I/O through the port and asks the connection what only the protocol knows: the
/// LU's identity on this path and the path's access state (ALUA, or ANA for NVMe).
/// </summary>
internal interface IPathConnection : IAsyncDisposable
{
    string Name { get; }

    /// <summary>The transport in use, or null before the first connect.</summary>
    IScsiTransport? Transport { get; }

    ScsiPort? Port { get; }

    /// <summary>The live transport, connecting (or reconnecting) when there is none.</summary>
    Task<IScsiTransport> ConnectAsync(CancellationToken cancellationToken);

    Task<PathLuInfo> OpenLuAsync(IScsiTransport transport, ulong lun, IscsiDiskOptions options, CancellationToken cancellationToken);

    /// <summary>The path's access state for the LU now; active/optimized when the target reports none.</summary>
    Task<AluaState> ReadAccessStateAsync(IScsiTransport transport, ulong lun, ushort? targetPortGroup, CancellationToken cancellationToken);
}
