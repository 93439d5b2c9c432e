using System.Buffers.Binary;
using Storlane.Initiator.Port;
using Storlane.Initiator.Scsi;
using Storlane.Initiator.Session;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Multipath;

/// <summary>
/// The session and port of one path (one portal, one I_T nexus), which every LU reached through
/// that portal shares: a <see cref="MultipathTarget"/> hands one to the disks of all its LUNs, a
/// standalone <see cref="MultipathDisk"/> owns its own. The port outlives sessions, so its LU
/// queues and its outstanding count (what LeastQueueDepth reads, across all LUs, as MSDSM counts)
/// carry over a reconnect. Whoever finds the session dead first reconnects it, with the same ISID
/// (session reinstatement); the others get that new session.
/// </summary>
internal sealed class PathConnection : IPathConnection
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IscsiSessionOptions _sessionOptions;
    private readonly PortOptions _portOptions;
    private IscsiSession? _session;
    private ScsiPort? _port;

    public PathConnection(IscsiUrl url, IscsiSessionOptions sessionOptions, PortOptions portOptions)
    {
        Url = url;
        _sessionOptions = sessionOptions;
        _portOptions = portOptions;
    }

    /// <summary>The portal and target (the LUN part, if any, is not the connection's).</summary>
    public IscsiUrl Url { get; }

    public string Name => Url.PathName;

    public IscsiSession? Session => Volatile.Read(ref _session);

    public IScsiTransport? Transport => Port?.Transport;

    public ScsiPort? Port => Volatile.Read(ref _port);

    async Task<IScsiTransport> IPathConnection.ConnectAsync(CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return Port!.Transport;
    }

    /// <summary>Opens the LU on the session (TEST UNIT READY, READ CAPACITY, VPD 83h and B0h) for its identity and geometry.</summary>
    public async Task<PathLuInfo> OpenLuAsync(IScsiTransport transport, ulong lun, IscsiDiskOptions options, CancellationToken cancellationToken)
    {
        var session = ((IscsiSessionTransport)transport).Session;
        var lu = await IscsiDisk.OpenAsync(session, lun, ownsSession: false, options, cancellationToken).ConfigureAwait(false);
        return new PathLuInfo(lu.Designator, lu.BlockSize, lu.PhysicalBlockSize, lu.BlockCount, lu.MaxTransferBlocks, lu.MaxUnmapBlocks, TargetPortGroupOf(lu.Designators));
    }

    /// <summary>REPORT TARGET PORT GROUPS; a target without ALUA (or an unknown group) counts as active/optimized.</summary>
    public async Task<AluaState> ReadAccessStateAsync(IScsiTransport transport, ulong lun, ushort? targetPortGroup, CancellationToken cancellationToken)
    {
        if (targetPortGroup is not { } group)
        {
            return AluaState.ActiveOptimized;
        }

        var session = ((IscsiSessionTransport)transport).Session;
        var buffer = new byte[AluaReportLength];
        var result = await session.ExecuteAsync(lun, ScsiCdb.ReportTargetPortGroups(AluaReportLength), buffer, default, cancellationToken).ConfigureAwait(false);
        if (!result.IsGood)
        {
            return AluaState.ActiveOptimized;
        }

        var received = AluaReportLength - (result.Underflow ? result.ResidualCount : 0);
        return Alua.ParseReport(buffer.AsSpan(0, received)).TryGetValue(group, out var state) ? state : AluaState.ActiveOptimized;
    }

    private const ushort AluaReportLength = 1024;

    private static ushort? TargetPortGroupOf(IReadOnlyList<DeviceDesignator> designators)
    {
        foreach (var designator in designators)
        {
            if (designator.Association == 1 && designator.Type == 5 && designator.Value.Length >= 4)
            {
                return BinaryPrimitives.ReadUInt16BigEndian(designator.Value[2..]);
            }
        }

        return null;
    }

    /// <summary>The live session, connecting (or reconnecting with session reinstatement) when there is none.</summary>
    public async Task<IscsiSession> ConnectAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var old = Session;
            if (old is { IsConnected: true })
            {
                return old;
            }

            IscsiSession session;
            if (old is null)
            {
                session = await IscsiSession.ConnectAsync(Url.Host, Url.Port, Url.TargetName!, _sessionOptions, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                session = await old.ReconnectAsync(cancellationToken).ConfigureAwait(false);
                await old.DisposeAsync().ConfigureAwait(false);
            }

            Volatile.Write(ref _session, session);
            var transport = new IscsiSessionTransport(session);
            if (_port is null)
            {
                Volatile.Write(ref _port, new ScsiPort(transport, _portOptions));
            }
            else
            {
                _port.Attach(transport);
            }

            return session;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Port is { } port)
        {
            await port.DisposeAsync().ConfigureAwait(false);
        }

        if (Session is { } session)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }
}
