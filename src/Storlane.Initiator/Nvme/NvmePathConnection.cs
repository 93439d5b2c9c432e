using Storlane.Initiator.Multipath;
using Storlane.Initiator.Port;
using Storlane.Nvme;

namespace Storlane.Initiator.Nvme;

/// <summary>
/// One NVMe/TCP path of a multipath disk: a controller association through one portal, seen by the
/// port layer through <see cref="NvmeScsiTransport"/>. A dead association is replaced by a new one
/// (the dynamic controller model has no reinstatement: the target ends the old controller when its
/// admin queue closes). The port outlives associations, as it outlives iSCSI sessions.
/// </summary>
internal sealed class NvmePathConnection : IPathConnection
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly NvmeHostOptions _options;
    private readonly PortOptions _portOptions;
    private NvmeScsiTransport? _transport;
    private ScsiPort? _port;

    public NvmePathConnection(NvmeUrl url, NvmeHostOptions options, PortOptions portOptions)
    {
        Url = url;
        _options = url.Apply(options);
        _portOptions = portOptions;
    }

    public NvmeUrl Url { get; }

    public string Name => Url.Portal;

    public IScsiTransport? Transport => Volatile.Read(ref _transport);

    public ScsiPort? Port => Volatile.Read(ref _port);

    public async Task<IScsiTransport> ConnectAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var old = _transport;
            if (old is { IsConnected: true })
            {
                return old;
            }

            var controller = await NvmeTcpController.ConnectAsync(Url.Host, Url.Port, Url.SubsystemNqn, _options, cancellationToken).ConfigureAwait(false);
            var transport = new NvmeScsiTransport(controller);
            Volatile.Write(ref _transport, transport);
            if (_port is null)
            {
                Volatile.Write(ref _port, new ScsiPort(transport, _portOptions));
            }
            else
            {
                _port.Attach(transport);
            }

            if (old is not null)
            {
                await old.Controller.DisposeAsync().ConfigureAwait(false);
            }

            return transport;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Identify Namespace: the NGUID is the designator every path must share; the ANA group stands for the port group.</summary>
    public async Task<PathLuInfo> OpenLuAsync(IScsiTransport transport, ulong lun, IscsiDiskOptions options, CancellationToken cancellationToken)
    {
        var controller = ((NvmeScsiTransport)transport).Controller;
        var info = await controller.IdentifyNamespaceAsync((uint)lun, cancellationToken).ConfigureAwait(false);
        var maxBlocks = Math.Max(1, Math.Min(NvmeBlockCommands.MaxBlocksPerCommand, Math.Min(controller.MaxTransferBytes, Math.Max(options.MaxTransferBytes, info.BlockSize)) / info.BlockSize));
        return new PathLuInfo(NvmeDisk.DesignatorOf(info), info.BlockSize, info.BlockSize, info.BlockCount, maxBlocks, uint.MaxValue, (ushort)info.AnaGroupId);
    }

    /// <summary>
    /// Re-reads the ANA log and maps the namespace's ANA state to the ALUA state the path selector
    /// ranks (base 2.0 8.1.3): optimized first, non-optimized when no optimized path is left,
    /// inaccessible and persistent loss never, change (transition) not until it settles.
    /// </summary>
    public async Task<AluaState> ReadAccessStateAsync(IScsiTransport transport, ulong lun, ushort? targetPortGroup, CancellationToken cancellationToken)
    {
        var controller = ((NvmeScsiTransport)transport).Controller;
        await controller.RefreshAnaAsync(cancellationToken).ConfigureAwait(false);
        return controller.AnaStateOf((uint)lun) switch
        {
            AnaState.Optimized => AluaState.ActiveOptimized,
            AnaState.NonOptimized => AluaState.ActiveNonOptimized,
            AnaState.Inaccessible => AluaState.Standby,
            AnaState.PersistentLoss => AluaState.Unavailable,
            _ => AluaState.Transitioning,
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (Port is { } port)
        {
            await port.DisposeAsync().ConfigureAwait(false);
        }

        if (_transport is { } transport)
        {
            await transport.Controller.DisposeAsync().ConfigureAwait(false);
        }
    }
}
