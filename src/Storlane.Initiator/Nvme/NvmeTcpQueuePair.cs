using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Storlane.Initiator.Session;
using Storlane.Nvme;
using Storlane.Nvme.Tcp;

namespace Storlane.Initiator.Nvme;

/// <summary>
/// The host end of one NVMe/TCP connection, which is one queue pair (NVMe/TCP 1.0, 2.1): ICReq/ICResp,
/// then capsules out and responses, data and R2Ts in. Command identifiers are pooled slots and
/// at most <c>entries - 1</c> commands are in flight (a full queue, base 2.0 4.1.1); submitters
/// hand capsules to one writer loop, one reader loop completes them. Any failure ends the whole
/// connection once: every outstanding command fails with <see cref="NvmeTransportException"/>.
/// </summary>
internal sealed partial class NvmeTcpQueuePair
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly Channel<Outbound> _outbound = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NvmeCommandSlot[] _slots;
    private readonly Stack<NvmeCommandSlot> _free;
    private readonly Lock _freeLock = new();
    private readonly SemaphoreSlim _credits;
    private readonly TaskCompletionSource<Exception> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new();
    private ITimer? _timeoutTimer;
    private HostFramingLimits _limits;
    private int _maxH2CData;
    private int _failed;
    private long _lastReceiveTimestamp = Stopwatch.GetTimestamp();

    private NvmeTcpQueuePair(Socket socket, string name, ushort queueId, int entries, int maxDataLength, NvmeHostOptions options)
    {
        _socket = socket;
        Name = name;
        QueueId = queueId;
        _stream = new NetworkStream(socket, ownsSocket: true);
        // bufferSize is the segment each socket read fills: left at its 4 KiB default (with a larger
        // minimumReadSize every read takes a fresh 4 KiB segment), a 128 KiB PDU took 32 reads.
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        _limits = new HostFramingLimits(false, options.HeaderDigest, options.DataDigest, maxDataLength);
        _slots = new NvmeCommandSlot[entries];
        _free = new Stack<NvmeCommandSlot>(entries);
        for (var i = entries - 1; i >= 0; i--)
        {
            _slots[i] = new NvmeCommandSlot(this, (ushort)i);
            _free.Push(_slots[i]);
        }

        // A queue of N entries is full with N - 1 commands in it (base 2.0, 4.1.1).
        _credits = new SemaphoreSlim(entries - 1, entries - 1);
    }

    public string Name { get; }

    public ushort QueueId { get; }

    /// <summary>Data bytes a command may carry in its capsule (the admin queue's 8 KiB, or IOCCSZ less the SQE); larger writes go by R2T.</summary>
    public int InCapsuleDataLimit { get; set; } = 8192;

    public bool IsConnected => Volatile.Read(ref _failed) == 0;

    /// <summary>Completes with the reason when the connection ends.</summary>
    public Task<Exception> Terminated => _terminated.Task;

    public TimeSpan ReceiveSilence => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReceiveTimestamp));

    /// <summary>
    /// Opens the TCP connection and exchanges ICReq/ICResp (NVMe/TCP 1.0, 3.3): digests as the
    /// options ask, HPDA 0 (no alignment), MAXR2T one per queue entry.
    /// </summary>
    public static async Task<NvmeTcpQueuePair> OpenAsync(string host, int port, ushort queueId, int entries, NvmeHostOptions options, CancellationToken cancellationToken)
    {
        var name = (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host) + ":" + port;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        Socket? socket = null;
        try
        {
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, timeout.Token).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                throw new NvmeTransportException($"{name}: the host name resolves to no address");
            }

            socket = new Socket(addresses[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(addresses[0], port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket?.Dispose();
            throw new NvmeTransportException(ex is OperationCanceledException ? $"{name}: no TCP connection within {options.ConnectTimeout.TotalSeconds:0.###} s" : $"{name}: {ex.Message}", ex);
        }
        catch
        {
            socket?.Dispose();
            throw;
        }

        var queue = new NvmeTcpQueuePair(socket, name, queueId, entries, Math.Max(options.MaxTransferBytes, 8192), options);
        try
        {
            await queue.InitializeConnectionAsync(entries, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or NvmeTcpProtocolException && !cancellationToken.IsCancellationRequested)
        {
            var error = ex as NvmeTransportException ?? new NvmeTransportException(
                ex is OperationCanceledException ? $"{name}: no ICResp within {options.ConnectTimeout.TotalSeconds:0.###} s" : $"{name}: connection initialization failed: {ex.Message}", ex);
            queue.Fail(error);
            throw error;
        }

        queue.Start();
        return queue;
    }

    /// <summary>
    /// Sends one command and completes with its CQE; a lost connection or a command past
    /// <paramref name="timeout"/> throws <see cref="NvmeTransportException"/>. Cancellation is
    /// honoured while waiting for a free slot; once sent, a command ends by answer, failure or timeout.
    /// </summary>
    public ValueTask<CompletionEntry> SubmitAsync(in NvmeCommand command, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, TimeSpan timeout, CommandTag? tag, CancellationToken cancellationToken)
    {
        if (!IsConnected)
        {
            return ValueTask.FromException<CompletionEntry>(TerminatedError());
        }

        if (_credits.Wait(0, CancellationToken.None))
        {
            return Submit(command, dataIn, dataOut, timeout, tag);
        }

        return SubmitWhenFreeAsync(command, dataIn, dataOut, timeout, tag, cancellationToken);
    }

    private async ValueTask<CompletionEntry> SubmitWhenFreeAsync(NvmeCommand command, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, TimeSpan timeout, CommandTag? tag, CancellationToken cancellationToken)
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        try
        {
            await _credits.WaitAsync(giveUp.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TerminatedError();
        }

        return await Submit(command, dataIn, dataOut, timeout, tag).ConfigureAwait(false);
    }

    private ValueTask<CompletionEntry> Submit(in NvmeCommand command, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, TimeSpan timeout, CommandTag? tag)
    {
        NvmeCommandSlot slot;
        lock (_freeLock)
        {
            slot = _free.Pop();
        }

        slot.Begin(command, dataIn, dataOut, timeout, tag);
        slot.Command.SetCommandId(slot.CommandId);
        var length = dataOut.Length + dataIn.Length;
        slot.InCapsule = dataOut.Length > 0 && dataOut.Length <= InCapsuleDataLimit;
        if (length > 0)
        {
            slot.Command.SetSgl((uint)length, slot.InCapsule);
        }

        tag?.MarkSent(((uint)QueueId << 16) | slot.CommandId, 0);
        var pending = new ValueTask<CompletionEntry>(slot, slot.Version);
        if (!_outbound.Writer.TryWrite(new Outbound(OutboundKind.Capsule, slot, 0, 0, 0)))
        {
            slot.TryFail(TerminatedError());
        }
        else if (!IsConnected)
        {
            // Failed between the check and the queueing: the failure pass may have missed this slot.
            slot.TryFail(TerminatedError());
        }

        return pending;
    }

    /// <summary>A slot's caller took its result: the CID and a queue credit are free again.</summary>
    internal void Release(NvmeCommandSlot slot)
    {
        lock (_freeLock)
        {
            _free.Push(slot);
        }

        _credits.Release();
    }

    /// <summary>Ends the connection now (a reset: nothing still queued here reaches the controller); outstanding commands fail.</summary>
    public void Drop(string reason) => Fail(new NvmeTransportException($"{Name} queue {QueueId}: {reason}"));

    private NvmeTransportException TerminatedError() =>
        Terminated.IsCompleted && Terminated.Result is NvmeTransportException known ? known : new NvmeTransportException($"{Name} queue {QueueId}: the connection is closed");

    private void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _failed, 1) != 0)
        {
            return;
        }

        var transportError = error as NvmeTransportException ?? new NvmeTransportException($"{Name} queue {QueueId}: {error.Message}", error);
        _terminated.TrySetResult(transportError);
        _timeoutTimer?.Dispose();
        try
        {
            // RST, not FIN: whatever this host still had queued must not reach the controller after
            // a multipath layer has reissued the command elsewhere.
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        _closing.Cancel();
        _socket.Dispose();
        _outbound.Writer.TryComplete();
        foreach (var slot in _slots)
        {
            slot.TryFail(transportError);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Drop("closed by the host");
        try
        {
            await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loops end with the socket; their errors were reported through Terminated.
        }
    }

    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;

    private void Start()
    {
        _readLoop = Task.Run(ReadLoopAsync);
        _writeLoop = Task.Run(WriteLoopAsync);
        _timeoutTimer = TimeProvider.System.CreateTimer(static state => ((NvmeTcpQueuePair)state!).ScanForTimeouts(), this, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    /// <summary>Timer tick: a command past its timeout drops the connection with an error that names it.</summary>
    private void ScanForTimeouts()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var slot in _slots)
        {
            if (slot.IsOverdue(now))
            {
                Fail(new NvmeCommandTimeoutException(
                    $"{Name} queue {QueueId}: command 0x{slot.Command.Opcode:x2} (CID {slot.CommandId}) had no answer within {slot.Timeout.TotalSeconds:0.###} s; the connection was dropped"));
                return;
            }
        }
    }

    private async Task InitializeConnectionAsync(int entries, CancellationToken cancellationToken)
    {
        var span = _writer.GetSpan(PduLayout.ICLength);
        _writer.Advance(HostPduWriter.WriteICReq(span, 0, _limits.HeaderDigest, _limits.DataDigest, (uint)(entries - 1)));
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                if (PduReader.TryRead(buffer, _limits, out var pdu, out var consumed))
                {
                    buffer = buffer.Slice(consumed);
                    if (pdu.Type == PduType.C2HTermReq)
                    {
                        throw new NvmeTransportException($"{Name}: the controller refused the ICReq ({(FatalErrorStatus)pdu.ReadUInt16(8)})");
                    }

                    AcceptICResp(pdu);
                    return;
                }

                if (result.IsCompleted)
                {
                    throw new NvmeTransportException($"{Name}: the controller closed the connection before its ICResp");
                }
            }
            finally
            {
                _reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    /// <summary>ICResp (3.6.2.3): PFV 0 at 8, CPDA at 10, DGST at 11, MAXH2CDATA at 12 (at least 4096).</summary>
    private void AcceptICResp(in ReceivedPdu pdu)
    {
        var header = pdu.Header;
        if (BinaryPrimitives.ReadUInt16LittleEndian(header[8..]) != 0)
        {
            throw new NvmeTransportException($"{Name}: ICResp with PFV {BinaryPrimitives.ReadUInt16LittleEndian(header[8..])} (only 0 is defined)");
        }

        var digests = header[11];
        var maxH2CData = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (maxH2CData < 4096)
        {
            throw new NvmeTransportException($"{Name}: ICResp MAXH2CDATA {maxH2CData} (at least 4096)");
        }

        // The ICResp says which digests are on; the PDUs that follow must match it.
        _limits = _limits with { Initialized = true, HeaderDigest = (digests & 1) != 0, DataDigest = (digests & 2) != 0 };
        _maxH2CData = (int)Math.Min(maxH2CData, int.MaxValue);
    }

    private enum OutboundKind : byte
    {
        Capsule,
        H2CData,
    }

    private readonly record struct Outbound(OutboundKind Kind, NvmeCommandSlot Slot, ushort TransferTag, uint Offset, uint Length);
}
