using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Iscsi;
using Storlane.Iscsi.Login;
using Storlane.Iscsi.Pdu;

namespace Storlane.Initiator.Session;

/// <summary>
/// One iSCSI session over one TCP connection (MaxConnections=1, ErrorRecoveryLevel=0). After
/// login, one receive loop reads PDUs from a <see cref="PipeReader"/> and one writer loop drains a
/// channel of <see cref="OutboundItem"/>s into a <see cref="PipeWriter"/>, so no lock is held across
/// I/O. Commands pipeline up to the target's MaxCmdSN; the rest wait in order. Any transport or
/// protocol failure ends the session and fails every outstanding task with
/// <see cref="IscsiTransportException"/>; a multipath layer then reissues them elsewhere.
/// </summary>
public sealed partial class IscsiSession : IAsyncDisposable
{
    private readonly IscsiSessionOptions _options;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly TaskTable _tasks;
    private readonly CommandWindow _window = new();
    private readonly Lock _sendLock = new();
    private readonly Channel<OutboundItem> _outbound = Channel.CreateUnbounded<OutboundItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource<Exception> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _receiveHeader = new byte[Bhs.Length];
    private PduReadOptions _readOptions;
    private bool _headerDigest;
    private bool _dataDigest;
    private uint _expStatSN;
    private long _lastReceiveTicks;
    private bool _dead;
    private bool _loggingOut;
    private bool _loggedOut;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _writerLoop = Task.CompletedTask;
    private Task _keepaliveLoop = Task.CompletedTask;

    private IscsiSession(IscsiSessionOptions options, string portal, Socket socket)
    {
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<IscsiSession>() ?? NullLogger<IscsiSession>.Instance;
        Portal = portal;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 65536, minimumReadSize: 16384, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 65536, leaveOpen: true));
        _tasks = new TaskTable(options.MaxOutstandingTasks);
    }

    /// <summary>"host:port" of the target portal this session is connected to.</summary>
    public string Portal { get; }

    /// <summary>The host and port this session connected to (what <see cref="ReconnectAsync"/> dials again).</summary>
    public string Host { get; private init; } = string.Empty;

    public int Port { get; private init; }

    /// <summary>The target's name, or null for a discovery session.</summary>
    public string? TargetName { get; private set; }

    public SessionType SessionType { get; private set; }

    public ulong Isid { get; private set; }

    /// <summary>Target-assigned session handle from the final Login Response.</summary>
    public ushort Tsih { get; private set; }

    /// <summary>TargetPortalGroupTag the target declared at login (13.9), or 0.</summary>
    public ushort TargetPortalGroupTag { get; private set; }

    /// <summary>The operational values in force after login.</summary>
    public OperationalParameters Parameters { get; private set; } = new();

    public SessionStatistics Statistics { get; } = new();

    /// <summary>True until the connection fails or the session logs out.</summary>
    public bool IsConnected => !Volatile.Read(ref _dead);

    /// <summary>Completes, with the reason, when the session ends; multipath watches this to fail over.</summary>
    public Task<Exception> Terminated => _terminated.Task;

    /// <summary>Time since the target last sent anything (any PDU): how long the connection has been silent.</summary>
    internal TimeSpan ReceiveSilence => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReceiveTicks));

    /// <summary>Task tags held (commands, pings, task management still awaiting the target's answer).</summary>
    internal int TasksInUse => _tasks.InUse;

    /// <summary>Commands that may still be sent before the target's window closes.</summary>
    public int WindowAvailable
    {
        get
        {
            lock (_sendLock)
            {
                return _window.Available;
            }
        }
    }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> and logs in to <paramref name="targetName"/> (a normal session).</summary>
    public static Task<IscsiSession> ConnectAsync(string host, int port, string targetName, IscsiSessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetName);
        return ConnectAsync(host, port, targetName, SessionType.Normal, options ?? new IscsiSessionOptions(), cancellationToken);
    }

    /// <summary>Connects and logs in with SessionType=Discovery; use <see cref="SendTargetsAsync"/> next.</summary>
    public static Task<IscsiSession> ConnectDiscoveryAsync(string host, int port, IscsiSessionOptions? options = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(host, port, null, SessionType.Discovery, options ?? new IscsiSessionOptions(), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (IsConnected && !_loggingOut)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await LogoutAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IscsiTransportException or OperationCanceledException or IscsiRejectException or InvalidOperationException)
            {
                // The session is going away either way.
            }
        }

        Fail(new IscsiTransportException("the session was disposed"));
        await Task.WhenAll(_receiveLoop, _writerLoop, _keepaliveLoop).ConfigureAwait(false);
        await _input.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _output.CompleteAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Completing flushes what the writer left; a connection the peer reset cannot take it.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _tasks.Dispose();
    }

    private static async Task<IscsiSession> ConnectAsync(string host, int port, string? targetName, SessionType type, IscsiSessionOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var portal = (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host) + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var socket = CreateSocket(options.LocalAddress, portal);
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(options.ConnectTimeout);
            await socket.ConnectAsync(host, port, connectTimeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new IscsiTransportException($"connecting to {portal} timed out after {options.ConnectTimeout.TotalSeconds:0.#} s");
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new IscsiTransportException($"cannot connect to {portal}: {ex.SocketErrorCode}", ex);
        }

        var session = new IscsiSession(options, portal, socket) { Host = host, Port = port };
        try
        {
            using var loginTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            loginTimeout.CancelAfter(options.LoginTimeout);
            try
            {
                await session.LoginAsync(targetName, type, loginTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IscsiTransportException($"login to {portal} timed out after {options.LoginTimeout.TotalSeconds:0.#} s");
            }

            session.StartLoops();
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A TCP socket, bound to <paramref name="localAddress"/> (port 0) when one is given, so the connection leaves from it.</summary>
    private static Socket CreateSocket(IPAddress? localAddress, string portal)
    {
        if (localAddress is null)
        {
            return new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        }

        var socket = new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(localAddress, 0));
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new IscsiTransportException($"cannot bind the connection to {portal} to local address {localAddress}: {ex.SocketErrorCode}", ex);
        }
    }

    private void StartLoops()
    {
        _lastReceiveTicks = Stopwatch.GetTimestamp();
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        _writerLoop = Task.Run(WriterLoopAsync);
        if (_options.KeepaliveInterval > TimeSpan.Zero)
        {
            _keepaliveLoop = Task.Run(KeepaliveLoopAsync);
        }
    }

    /// <summary>
    /// Ends the session once: marks it dead, stops both loops, closes the socket (with a reset,
    /// unless the target answered a logout) and fails every task still waiting for the target. Safe to call from any thread, any number of times.
    /// </summary>
    private void Fail(Exception reason)
    {
        var failure = reason as IscsiTransportException ?? new IscsiTransportException($"connection to {Portal} lost: {reason.Message}", reason);
        lock (_sendLock)
        {
            if (_dead)
            {
                return;
            }

            _dead = true;
            while (_window.Waiting.TryDequeue(out var waiting))
            {
                FailTask(waiting, failure);
            }
        }

        if (!_loggingOut)
        {
            InitiatorLog.SessionFailed(_logger, Portal, failure.Message);
        }

        _outbound.Writer.TryComplete();
        _stopping.Cancel();
        _input.CancelPendingRead();
        try
        {
            if (Volatile.Read(ref _loggedOut))
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            else
            {
                // A failed session's commands are reissued on another path at once, so none of them
                // may reach the target later through this connection. An orderly close would leave
                // our unacknowledged bytes queued, to be sent (a stale WRITE among them) when a
                // pulled cable is back; a reset (SO_LINGER 0) discards them.
                _socket.Close(0);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        _tasks.ForEachInUse(static (task, failure) => task.Session?.FailTask(task, failure), failure);
        _terminated.TrySetResult(failure);
    }

    private void FailTask(InitiatorTask task, Exception failure)
    {
        if (task.TryFinishProtocol())
        {
            RetireScsi(task, success: false);
            task.FailCaller(failure);
            task.ReleaseProtocol();
        }
    }

    /// <summary>Bookkeeping when a SCSI task's protocol side ends.</summary>
    private void RetireScsi(InitiatorTask task, bool success)
    {
        if (task.Kind != TaskKind.Scsi)
        {
            return;
        }

        Statistics.Retired(task.TransferLength);
        if (!success)
        {
            Statistics.FailedOne();
        }
    }

    private void ThrowIfDead()
    {
        if (Volatile.Read(ref _dead))
        {
            ThrowDead();
        }
    }

    private void ThrowDead()
    {
        var reason = _terminated.Task.IsCompleted ? _terminated.Task.Result : null;
        throw reason as IscsiTransportException ?? new IscsiTransportException($"the session to {Portal} has ended");
    }
}
