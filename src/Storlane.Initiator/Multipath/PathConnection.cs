using Storlane.Initiator.Port;
using Storlane.Initiator.Session;

namespace Storlane.Initiator.Multipath;

/// <summary>
/// The session and port of one path (one portal, one I_T nexus), which every LU reached through
/// that portal shares: a <see cref="MultipathTarget"/> hands one to the disks of all its LUNs, a
/// standalone <see cref="MultipathDisk"/> owns its own. The port outlives sessions, so its LU
/// queues and its outstanding count (what LeastQueueDepth reads, across all LUs, as MSDSM counts)
/// carry over a reconnect. Whoever finds the session dead first reconnects it, with the same ISID
/// (session reinstatement); the others get that new session.
/// </summary>
internal sealed class PathConnection : IAsyncDisposable
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

    public ScsiPort? Port => Volatile.Read(ref _port);

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
