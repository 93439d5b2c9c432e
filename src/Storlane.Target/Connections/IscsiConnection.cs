using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Storlane.Iscsi;
using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Login;
using Storlane.Iscsi.Pdu;
using Storlane.Target.Sessions;

namespace Storlane.Target.Connections;

/// <summary>
/// One TCP connection, split by owner as Kestrel splits an HTTP/2 connection: this class is the
/// receive side, a loop that frames PDUs straight out of the pipe buffer and dispatches them with
/// one switch (the handlers are the partial files: login, text, commands, task management, NOP,
/// logout); <see cref="ConnectionWriter"/> is the send side, the only code that touches the socket's
/// PipeWriter, StatSN and the outgoing digests; <see cref="ConnectionTasks"/> holds the tasks both
/// reach; the server's <see cref="ConnectionHeartbeat"/> pings and times out. Every field is declared
/// below with the thread that owns it. Handlers never block the receive loop on I/O: SCSI commands
/// run concurrently and queue their completions.
/// </summary>
internal sealed partial class IscsiConnection : IHeartbeatListener
{
    private readonly IDisposable _transport;
    private readonly PipeReader _input;
    private readonly ServerContext _server;
    private readonly PortalOptions _portal;
    private readonly Socket? _socket;
    private readonly CancellationTokenSource _closing = new();
    private readonly PduTrace _trace;

    /// <summary>The send side: everything written to the initiator goes through its queue.</summary>
    private readonly ConnectionWriter _writer;

    /// <summary>The tasks by ITT, shared by the receive loop, the writer and other sessions' task management.</summary>
    private readonly ConnectionTasks _tasks;

    // The receive loop's alone: the header of the PDU being dispatched, how PDUs are framed, the
    // session once logged in (read elsewhere only after the loop published it) and the window the
    // login created.
    private readonly byte[] _header = new byte[Bhs.Length];
    private PduReadOptions _readOptions;
    private IscsiSession? _session;
    private CommandWindow? _window;

    // The login in progress (IscsiConnection.Login.cs), the receive loop's alone; the CID is also
    // read by management views once the login published the session.
    private readonly ArrayBufferWriter<byte> _loginText = new();
    private LoginNegotiator? _negotiator;
    private ChapTargetAuthenticator? _chap;
    private TargetNode? _loginTarget;
    private LoginStage _stage;
    private bool _securityDone;
    private bool _loginStarted;
    private ulong _isid;
    private ushort _connectionId;
    private uint _loginItt;

    /// <summary>Set while a failed authentication's response waits out the throttle's delay.</summary>
    private bool _refusing;

    // A Text exchange in progress (IscsiConnection.Text.cs), the receive loop's alone.
    private readonly ArrayBufferWriter<byte> _textRequest = new();
    private byte[]? _textPending;
    private int _textPendingOffset;
    private uint _textTtt = Bhs.ReservedTag;

    // Written by the receive loop, read by the heartbeat (IscsiConnection.Nop.cs, .Timeouts.cs).
    private long _lastReceiveTicks;

    /// <summary>When the receive loop began waiting for the rest of a half-received PDU; 0 while it is not.</summary>
    private long _stalledSinceTicks;

    /// <summary>When the connection was accepted, in <see cref="ServerContext.NowMilliseconds"/>.</summary>
    private readonly long _acceptedTicks;

    /// <summary>
    /// The TTT of the NOP-In ping awaiting its answer, or 0xffffffff. Set by the heartbeat, cleared by
    /// the receive loop when the answer comes: both touch it atomically, and the receive loop clears
    /// only the tag it was answered for, so a late answer to an old ping cannot cancel a newer one.
    /// </summary>
    private uint _pingTag = Bhs.ReservedTag;

    /// <summary>Written by the heartbeat before it publishes <see cref="_pingTag"/>, read only by it.</summary>
    private long _pingSentTicks;

    /// <summary>Target transfer tags, taken by the receive loop (R2T, Text) and the heartbeat (NOP-In), atomically.</summary>
    private uint _nextTargetTransferTag;

    // Any thread that ends the connection or its session.
    private int _sessionEnded;
    private string _closeReason = "closed by initiator";

    public IscsiConnection(Socket socket, ServerContext server, PortalOptions portal)
        : this(CreateSocketPipe(socket), new NetworkStream(socket, ownsSocket: true), socket.RemoteEndPoint, socket.LocalEndPoint, server, portal)
    {
        _socket = socket;
    }

    /// <summary>A connection over any duplex pipe: sockets in production, in-memory pipes in tests and benchmarks.</summary>
    public IscsiConnection(IDuplexPipe pipe, IDisposable transport, EndPoint? remote, EndPoint? local, ServerContext server, PortalOptions portal)
    {
        _transport = transport;
        _server = server;
        _portal = portal;
        Number = server.NextConnectionNumber();
        _trace = new PduTrace(server.Loggers.Pdus, Number);
        _acceptedTicks = server.NowMilliseconds;
        _lastReceiveTicks = _acceptedTicks;
        _input = pipe.Input;
        _tasks = new ConnectionTasks(task => ExecutionEnded(task, task.TakePendingExecution()), server.Buffers, server.Limits.MaxBufferBytesPerConnection);
        _writer = new ConnectionWriter(pipe.Output, _tasks, _trace, server.Limits.MaxQueuedBytesPerConnection, CloseAfterSent);
        Remote = remote;
        Local = local;

        // RFC 7143 13.12: until MaxRecvDataSegmentLength is declared the default 8192 applies.
        _readOptions = new PduReadOptions { MaxDataSegmentLength = LoginDataSegmentLimit };
    }

    /// <summary>How long a closing connection's queued replies may take to leave before the socket is closed under them.</summary>
    private static readonly TimeSpan WriterDrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Login PDUs may carry text up to the default MaxRecvDataSegmentLength.</summary>
    private const int LoginDataSegmentLimit = 8192;

    public EndPoint? Remote { get; }

    /// <summary>This connection's number in the log, unique for the life of the process (the CID is the initiator's and repeats).</summary>
    public long Number { get; }

    public EndPoint? Local { get; }

    /// <summary>The CID the initiator chose at login (RFC 7143 11.12.7).</summary>
    public ushort ConnectionId => _connectionId;

    /// <summary>The target portal group tag of the portal this connection arrived on.</summary>
    public ushort PortalGroup => _portal.Group;

    private static DuplexPipe CreateSocketPipe(Socket socket)
    {
        var stream = new NetworkStream(socket, ownsSocket: false);
        return new DuplexPipe(
            PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024)));
    }

    public IscsiSession? Session => _session;

    /// <summary>The send side (tests read its queued bytes).</summary>
    internal ConnectionWriter Writer => _writer;

    /// <summary>The connection's tasks (tests read its pool and buffer bytes).</summary>
    internal ConnectionTasks Tasks => _tasks;

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start()
    {
        Completion = RunAsync();
    }

    /// <summary>Closes the connection from outside (session reinstatement, target cold reset, server stop).</summary>
    public void Abort(string why)
    {
        _closeReason = why;
        _closing.Cancel();
        _input.CancelPendingRead();
    }

    /// <summary>The writer sent a PDU after which the connection ends (logout response, fatal reject, failed login).</summary>
    private void CloseAfterSent()
    {
        _closing.Cancel();
        _input.CancelPendingRead();
    }

    private async Task RunAsync()
    {
        TargetLog.ConnectionAccepted(_server.Loggers.Connections, Number, Remote, Local);
        var writer = _writer.RunAsync();
        _server.Heartbeat.Add(this);
        try
        {
            await ReceiveLoopAsync().ConfigureAwait(false);
        }
        catch (IscsiProtocolException ex)
        {
            _closeReason = "protocol error: " + ex.Message;
            TargetLog.ProtocolError(_server.Loggers.Connections, Number, Remote, ex.Message);
            if (ex.SendReject && _session is not null)
            {
                Enqueue(CreateReject(ex.Reason, _header));
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            _closeReason = "connection lost: " + ex.Message;
        }
        catch (Exception ex)
        {
            _closeReason = "internal error";
            TargetLog.ConnectionFault(_server.Loggers.Connections, Number, Remote, ex);
        }

        await ShutdownAsync(writer).ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync()
    {
        var partial = false;
        while (await _writer.WaitForRoomAsync(_closing.Token).ConfigureAwait(false))
        {
            // A half-received PDU starts the stall clock while we wait for its rest (never while
            // back-pressure, not the initiator, is what keeps us from reading).
            Volatile.Write(ref _stalledSinceTicks, partial ? _server.NowMilliseconds : 0);
            var result = await _input.ReadAsync().ConfigureAwait(false);
            Volatile.Write(ref _stalledSinceTicks, 0);
            var buffer = result.Buffer;
            var examined = buffer.End;
            var paused = false;
            try
            {
                while (!_closing.IsCancellationRequested && PduReader.TryReadPdu(buffer, _readOptions, _header, out var frame))
                {
                    _lastReceiveTicks = _server.NowMilliseconds;
                    Dispatch(frame);
                    buffer = buffer.Slice(frame.End);
                    if (_writer.QueueFull)
                    {
                        // Stop here; PDUs already buffered are parsed again once the queue drains,
                        // without waiting for more bytes (nothing beyond them was examined).
                        examined = buffer.Start;
                        paused = true;
                        break;
                    }
                }

                // An initiator that sent its last PDUs and closed still has them handled, after the pause.
                partial = !buffer.IsEmpty;
                if (result.IsCanceled || (result.IsCompleted && !paused))
                {
                    if (partial && !_closing.IsCancellationRequested)
                    {
                        _closeReason = "connection closed in the middle of a PDU";
                    }

                    return;
                }
            }
            finally
            {
                _input.AdvanceTo(buffer.Start, examined);
            }
        }
    }

    /// <summary>One switch on the opcode (RFC 7143 11.2.1.2); every handler copies what it keeps before returning.</summary>
    private void Dispatch(in PduFrame frame)
    {
        var bhs = new Bhs(_header);
        _trace.Received(bhs);
        var opcode = bhs.Opcode;
        if (!frame.DataDigestValid && opcode == Opcode.DataOut && _session is not null)
        {
            // RFC 7143 7.8.1: Reject with Data-Digest-Error and discard the data; the header was
            // sound, so the PDU still counts for its sequence and the task ends with CHECK
            // CONDITION once all its data is in (option b). The connection stays up.
            TargetLog.DataOutDigestError(_server.Loggers.Connections, Number, Remote);
            _session.Counters.DataDigestError();
            Enqueue(CreateReject(RejectReason.DataDigestError, _header));
            HandleDataOut(bhs, default, digestError: true);
            return;
        }

        if (!frame.DataDigestValid)
        {
            // RFC 7143 7.8: "When a target receives any iSCSI PDU with a payload digest error,
            // it MUST answer with a Reject PDU with a reason code of Data-Digest-Error and discard
            // the PDU." At ErrorRecoveryLevel 0 the task cannot be recovered, so the connection
            // (and with it the session) ends; the bad data never reaches a LUN.
            TargetLog.DataDigestError(_server.Loggers.Connections, Number, Remote, opcode);
            _session?.Counters.DataDigestError();
            Enqueue(CreateReject(RejectReason.DataDigestError, _header, closeAfter: true));
            _closeReason = "data digest error";
            _closing.Cancel();
            return;
        }

        if (_session is null)
        {
            if (opcode != Opcode.LoginRequest)
            {
                // RFC 7143 6.1: before login completes only Login Requests are allowed.
                IscsiProtocolException.Throw(RejectReason.ProtocolError, "PDU other than Login Request before the login completed");
            }

            HandleLoginRequest(bhs, frame.Data);
            return;
        }

        _session.Counters.Pdu();
        switch (opcode)
        {
            case Opcode.ScsiCommand:
                HandleScsiCommand(bhs, frame);
                break;
            case Opcode.DataOut:
                HandleDataOut(bhs, frame.Data);
                break;
            case Opcode.NopOut:
                HandleNopOut(bhs, frame.Data);
                break;
            case Opcode.TaskManagementRequest:
                HandleTaskManagement(bhs);
                break;
            case Opcode.TextRequest:
                HandleTextRequest(bhs, frame.Data);
                break;
            case Opcode.LogoutRequest:
                HandleLogout(bhs);
                break;
            case Opcode.LoginRequest:
                // RFC 7143 6.1: a Login Request in full feature phase is a protocol error.
                IscsiProtocolException.Throw(RejectReason.ProtocolError, "Login Request in full feature phase");
                break;
            case Opcode.Snack:
                // SNACK needs ErrorRecoveryLevel > 0, which we never negotiate.
                Enqueue(CreateReject(RejectReason.CommandNotSupported, _header));
                break;
            default:
                IscsiProtocolException.Throw(RejectReason.ProtocolError, "unknown or target-only opcode");
                break;
        }
    }

    private void Enqueue(ControlPdu pdu) => _writer.Post(pdu);

    private ControlPdu CreateReject(RejectReason reason, ReadOnlySpan<byte> rejectedHeader, bool closeAfter = false)
    {
        // RFC 7143 11.17: the data segment carries the complete header of the rejected PDU.
        var pdu = ControlPdu.Create(Opcode.Reject);
        pdu.CloseAfter = closeAfter;
        var bhs = pdu.Bhs;
        bhs.Final = true;
        bhs.Byte2 = (byte)reason;
        bhs.InitiatorTaskTag = Bhs.ReservedTag;
        pdu.Data = rejectedHeader[..Bhs.Length].ToArray();
        return pdu;
    }

    private async Task ShutdownAsync(Task writer)
    {
        _server.Heartbeat.Remove(this);
        _closing.Cancel();
        AbortAllTasks();

        // The I_T nexus is lost now, not once the writer has drained: an initiator that dropped
        // this connection may already be logging in again, and its first commands must find the
        // nexus's prevention of medium removal and legacy reservation released (SBC-3 5.11, SPC-4 5.12.1).
        _ = EndSession();
        _writer.EndQueue();
        try
        {
            // What is queued is still sent (a Reject, a Logout Response), but an initiator that
            // stopped reading cannot hold the writer, and with it this connection, forever.
            if (await Task.WhenAny(writer, Task.Delay(WriterDrainTimeout)).ConfigureAwait(false) != writer)
            {
                _writer.CancelPendingFlush();
                _transport.Dispose();
            }

            await writer.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        await _input.CompleteAsync().ConfigureAwait(false);
        await _writer.CompletePipeAsync().ConfigureAwait(false);
        _transport.Dispose();
        TargetLog.ConnectionClosed(_server.Loggers.Connections, Number, Remote, _closeReason);
    }

    /// <summary>
    /// True when the initiator has closed this connection (its FIN is here, nothing is left to read)
    /// even if the receive loop has not run yet to notice. A poll, no read: safe from any thread.
    /// </summary>
    internal bool PeerHasClosed()
    {
        try
        {
            return _socket is { } socket && socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            return true;
        }
    }

    /// <summary>
    /// Ends this connection's session and I_T nexus at once, from another connection's login: the
    /// initiator's new session must not find the old nexus still holding a prevention of medium
    /// removal or a reservation just because this connection's loop has not run yet.
    /// </summary>
    internal void EndNexusNow(string why)
    {
        _ = EndSession();
        Abort(why);
    }

    /// <summary>
    /// Ends the session's I_T nexus, once per connection: a later call (the connection's own shutdown)
    /// must not touch a reinstated nexus. The task completes (never faults) when the nexus's SPC-2
    /// release is in the shared state; it is <see cref="Task.CompletedTask"/> when nothing was pending.
    /// </summary>
    private Task EndSession()
    {
        if (Interlocked.Exchange(ref _sessionEnded, 1) != 0)
        {
            return Task.CompletedTask;
        }

        if (_session is { } session)
        {
            _server.Sessions.Remove(session);
            if (session.Nexus is { } nexus && session.Target is { } target)
            {
                return target.Device.RemoveNexus(nexus);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// A fresh target transfer tag. Both the receive loop (R2T, Text) and the heartbeat (NOP-In)
    /// take tags, so the counter moves atomically: two PDUs never share one. 0xffffffff is reserved
    /// (RFC 7143 11.8.3) and skipped when the counter wraps.
    /// </summary>
    internal uint NextTargetTransferTag()
    {
        uint tag;
        do
        {
            tag = Interlocked.Increment(ref _nextTargetTransferTag) - 1;
        }
        while (tag == Bhs.ReservedTag);

        return tag;
    }
}
