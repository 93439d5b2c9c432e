using System.Runtime.CompilerServices;
using Storlane.Initiator.Scsi;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Nvme;

/// <summary>
/// One namespace behind an NVMe/TCP controller, read and written by LBA with the API every
/// <see cref="BlockDisk"/> has:
/// <code>
/// await using var disk = await NvmeDisk.OpenAsync("nvme+tcp://127.0.0.1:4420/nqn.2014-08.org.storlane:iqn.x/1");
/// </code>
/// Geometry from Identify Namespace, limits from MDTS. A failed command throws
/// <see cref="NvmeCommandException"/>; a lost association <see cref="NvmeTransportException"/>.
/// </summary>
public sealed class NvmeDisk : BlockDisk
{
    private readonly bool _ownsController;

    private NvmeDisk(NvmeTcpController controller, NvmeNamespaceInfo info, bool ownsController)
    {
        Controller = controller;
        Namespace = info;
        _ownsController = ownsController;
        BlockSize = info.BlockSize;
        PhysicalBlockSize = info.BlockSize;
        BlockCount = info.BlockCount;
        MaxTransferBlocks = Math.Max(1, Math.Min(NvmeBlockCommands.MaxBlocksPerCommand, controller.MaxTransferBytes / info.BlockSize));
        Designator = DesignatorOf(info);
    }

    public NvmeTcpController Controller { get; }

    public NvmeNamespaceInfo Namespace { get; }

    public uint Nsid => Namespace.Nsid;

    public static Task<NvmeDisk> OpenAsync(string url, NvmeHostOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenAsync(NvmeUrl.Parse(url), options, cancellationToken);

    public static async Task<NvmeDisk> OpenAsync(NvmeUrl url, NvmeHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Nsid is not { } nsid)
        {
            throw new ArgumentException($"the URL '{url}' names no namespace (nvme+tcp://host[:port]/subsystem-nqn/nsid)", nameof(url));
        }

        var controller = await NvmeTcpController.ConnectAsync(url, options, cancellationToken).ConfigureAwait(false);
        try
        {
            return await OpenAsync(controller, nsid, ownsController: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await controller.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a namespace on an existing association (several namespaces may share one).</summary>
    public static async Task<NvmeDisk> OpenAsync(NvmeTcpController controller, uint nsid, bool ownsController = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(controller);
        var info = await controller.IdentifyNamespaceAsync(nsid, cancellationToken).ConfigureAwait(false);
        return new NvmeDisk(controller, info, ownsController);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_ownsController)
        {
            await Controller.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The LU designator multipath groups paths by: the NGUID as a 16-byte EUI-64 based designator
    /// (NVM Express SCSI Translation Reference 1.5, 6.1.4), or the EUI-64 when the NGUID is zero.
    /// </summary>
    internal static DeviceDesignator DesignatorOf(NvmeNamespaceInfo info)
    {
        var nguid = info.Nguid.AsSpan();
        return nguid.ContainsAnyExcept((byte)0) ? new DeviceDesignator(1, 0, 2, nguid) : new DeviceDesignator(1, 0, 2, info.Eui64);
    }

    // Pooled state machines: an I/O that waits for the controller allocates no box per command.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask RunCommandAsync(ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CancellationToken cancellationToken)
    {
        if (!NvmeBlockCommands.TryTranslate(cdb, Nsid, dataOut, out var command, out var data))
        {
            throw new NotSupportedException($"SCSI opcode 0x{cdb.Opcode:x2} has no NVMe translation");
        }

        if (command.Opcode == (byte)Storlane.Nvme.IoOpcode.DatasetManagement && !Controller.SupportsDeallocate)
        {
            return; // deallocation is advisory (SBC-3 UNMAP); a controller without it keeps the data
        }

        var completion = await Controller.ExecuteIoAsync(command, dataIn, data, null, cancellationToken).ConfigureAwait(false);
        if (!completion.Status.IsSuccess)
        {
            throw new NvmeCommandException(command.Opcode, completion.Status);
        }
    }
}
