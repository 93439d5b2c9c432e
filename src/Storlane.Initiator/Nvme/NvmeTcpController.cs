using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Storlane.Initiator.Session;
using Storlane.Nvme;

namespace Storlane.Initiator.Nvme;

/// <summary>
/// One controller association of the NVMe/TCP host (dynamic controller model): an admin queue and
/// N I/O queues, each its own TCP connection, brought up as NVMe over Fabrics 1.1 3.5 and base 2.0
/// 3.5.1 describe: Connect the admin queue, read CAP, set CC.EN and wait for CSTS.RDY, Identify,
/// Set Features Number of Queues, Connect each I/O queue with the CNTLID. A Keep Alive goes every
/// KATO/2; an ANA change notice (AER) re-reads the ANA log. When any queue fails, the whole
/// association ends (as the Linux host's error recovery tears it down): <see cref="Terminated"/>.
/// <code>
/// await using var controller = await NvmeTcpController.ConnectAsync(NvmeUrl.Parse("nvme+tcp://127.0.0.1/nqn.x/1"));
/// </code>
/// </summary>
public sealed partial class NvmeTcpController : IAsyncDisposable
{
    private const int AdminQueueEntries = 32;
    private const int ConnectDataLength = 1024;

    private readonly NvmeTcpQueuePair _admin;
    private readonly NvmeHostOptions _options;
    private readonly TaskCompletionSource<Exception> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private NvmeTcpQueuePair[] _io = [];
    private Task _keepAlive = Task.CompletedTask;
    private Task _asyncEvents = Task.CompletedTask;
    private int _nextQueue;
    private int _failed;
    private AnaSnapshot _ana = new([], []);

    private NvmeTcpController(NvmeTcpQueuePair admin, string subsystemNqn, NvmeHostOptions options)
    {
        _admin = admin;
        SubsystemNqn = subsystemNqn;
        _options = options;
    }

    /// <summary>"host:port" of the portal.</summary>
    public string Name => _admin.Name;

    public string SubsystemNqn { get; }

    public ushort ControllerId { get; private set; }

    public string Serial { get; private set; } = "";

    public string Model { get; private set; } = "";

    /// <summary>MDTS in bytes (with CAP.MPSMIN 4 KiB), bounded by <see cref="NvmeHostOptions.MaxTransferBytes"/>.</summary>
    public int MaxTransferBytes { get; private set; }

    /// <summary>IOCCSZ less the SQE: writes up to this size go in the capsule, larger ones by R2T.</summary>
    public int InCapsuleDataBytes { get; private set; }

    /// <summary>The I/O queues connected with SQ flow control disabled (null before the first): reads may then end in C2HData SUCCESS.</summary>
    public bool? SqFlowControlDisabled { get; private set; }

    public int IoQueueCount => _io.Length;

    /// <summary>Entries per I/O queue (one less is in flight at most).</summary>
    public int QueueEntries { get; private set; }

    public bool VolatileWriteCache { get; private set; }

    /// <summary>ONCS bit 2: Dataset Management (deallocate).</summary>
    public bool SupportsDeallocate { get; private set; }

    /// <summary>ONCS bit 3: Write Zeroes.</summary>
    public bool SupportsWriteZeroes { get; private set; }

    /// <summary>CMIC bit 3: the controller reports ANA states.</summary>
    public bool ReportsAna { get; private set; }

    /// <summary>False once any queue has failed (its failure ends the association; the others are dropped right after).</summary>
    public bool IsConnected
    {
        get
        {
            if (Volatile.Read(ref _failed) != 0 || !_admin.IsConnected)
            {
                return false;
            }

            foreach (var queue in _io)
            {
                if (!queue.IsConnected)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Completes with the reason when the association ends.</summary>
    public Task<Exception> Terminated => _terminated.Task;

    /// <summary>Time since any queue last heard from the controller.</summary>
    public TimeSpan ReceiveSilence
    {
        get
        {
            var silence = _admin.ReceiveSilence;
            foreach (var queue in _io)
            {
                var s = queue.ReceiveSilence;
                silence = s < silence ? s : silence;
            }

            return silence;
        }
    }

    /// <summary>The ANA log was re-read after an ANA change notice.</summary>
    public event Action? AnaChanged;

    public static Task<NvmeTcpController> ConnectAsync(NvmeUrl url, NvmeHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        return ConnectAsync(url.Host, url.Port, url.SubsystemNqn, url.Apply(options ?? new NvmeHostOptions()), cancellationToken);
    }

    public static async Task<NvmeTcpController> ConnectAsync(string host, int port, string subsystemNqn, NvmeHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var admin = await NvmeTcpQueuePair.OpenAsync(host, port, 0, AdminQueueEntries, options, cancellationToken).ConfigureAwait(false);
        var controller = new NvmeTcpController(admin, subsystemNqn, options);
        try
        {
            await controller.InitializeAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await controller.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return controller;
    }

    /// <summary>Runs one I/O command on the next I/O queue (round robin); the CQE tells how it ended.</summary>
    public ValueTask<CompletionEntry> ExecuteIoAsync(in NvmeCommand command, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CommandTag? tag = null, CancellationToken cancellationToken = default)
    {
        var queues = _io;
        var queue = queues[(int)((uint)Interlocked.Increment(ref _nextQueue) % (uint)queues.Length)];
        return queue.SubmitAsync(command, dataIn, dataOut, _options.CommandTimeout, tag, cancellationToken);
    }

    public ValueTask<CompletionEntry> ExecuteAdminAsync(in NvmeCommand command, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CancellationToken cancellationToken = default) =>
        _admin.SubmitAsync(command, dataIn, dataOut, _options.CommandTimeout, null, cancellationToken);

    /// <summary>Identify Namespace (CNS 00h).</summary>
    public async Task<NvmeNamespaceInfo> IdentifyNamespaceAsync(uint nsid, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var command = NvmeCommand.Admin(AdminOpcode.Identify, nsid);
            command.SetDword(10, 0x00);
            await RunAdminAsync(command, buffer.AsMemory(0, 4096), default, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            return NvmeNamespaceInfo.Parse(nsid, buffer.AsSpan(0, 4096));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The ANA state of <paramref name="nsid"/>'s group on this controller as last read; Optimized without ANA reporting.</summary>
    public AnaState AnaStateOf(uint nsid)
    {
        var ana = Volatile.Read(ref _ana);
        return ana.Namespaces.TryGetValue(nsid, out var group) && ana.Groups.TryGetValue(group, out var state) ? state : AnaState.Optimized;
    }

    /// <summary>Get Log Page ANA (LID 0Ch, base 2.0 5.16.1.13): the states of every group this controller reports.</summary>
    public async Task RefreshAnaAsync(CancellationToken cancellationToken = default)
    {
        if (!ReportsAna)
        {
            return;
        }

        const int Length = 4096;
        var buffer = ArrayPool<byte>.Shared.Rent(Length);
        try
        {
            var command = NvmeCommand.Admin(AdminOpcode.GetLogPage, 0xFFFF_FFFF);
            command.SetDword(10, (uint)LogPageId.Ana | ((uint)((Length / 4) - 1) << 16));
            await RunAdminAsync(command, buffer.AsMemory(0, Length), default, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            var (groups, namespaces) = NvmeNamespaceInfo.ParseAnaLog(buffer.AsSpan(0, Length));
            Volatile.Write(ref _ana, new AnaSnapshot(groups, namespaces));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A Keep Alive round trip (base 2.0, 5.24): the time it took; a path with no answer within KATO fails.</summary>
    public async Task<TimeSpan> KeepAliveAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        await RunAdminAsync(NvmeCommand.Admin(AdminOpcode.KeepAlive), default, default, KeepAliveTimeout, cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Abort (base 2.0, 5.1): SQID in CDW10 15:0, CID in 31:16. The controller may decline; DW0 bit 0 says so.</summary>
    public async Task<bool> AbortAsync(ushort queueId, ushort commandId, CancellationToken cancellationToken = default)
    {
        var command = NvmeCommand.Admin(AdminOpcode.Abort);
        command.SetDword(10, queueId | ((uint)commandId << 16));
        var completion = await RunAdminAsync(command, default, default, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        return (completion.Dword0 & 1) == 0;
    }

    /// <summary>Ends the association now: every queue's socket is reset and outstanding commands fail.</summary>
    public void Drop(string reason) => Fail(new NvmeTransportException($"{Name}: {reason}"));

    public async ValueTask DisposeAsync()
    {
        Drop("closed by the host");
        await _admin.DisposeAsync().ConfigureAwait(false);
        foreach (var queue in _io)
        {
            await queue.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_keepAlive, _asyncEvents).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Both loops end with the association.
        }

        _stopping.Dispose();
    }

    private TimeSpan KeepAliveTimeout => _options.KeepAliveTimeout > TimeSpan.Zero ? _options.KeepAliveTimeout : _options.CommandTimeout;

    private void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _failed, 1) != 0)
        {
            return;
        }

        _terminated.TrySetResult(error);
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed already.
        }

        var reason = error.Message;
        _admin.Drop(reason);
        foreach (var queue in _io)
        {
            queue.Drop(reason);
        }
    }

    private async Task WatchAsync(NvmeTcpQueuePair queue)
    {
        var reason = await queue.Terminated.ConfigureAwait(false);
        Fail(reason);
    }

    /// <summary>Runs an admin command and throws <see cref="NvmeCommandException"/> unless it succeeds.</summary>
    private async Task<CompletionEntry> RunAdminAsync(NvmeCommand command, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var completion = await _admin.SubmitAsync(command, dataIn, dataOut, timeout, null, cancellationToken).ConfigureAwait(false);
        if (!completion.Status.IsSuccess)
        {
            throw new NvmeCommandException(command.Opcode, completion.Status);
        }

        return completion;
    }

    private sealed record AnaSnapshot(Dictionary<uint, AnaState> Groups, Dictionary<uint, uint> Namespaces);

    private static void WriteNqn(Span<byte> field, string nqn)
    {
        field.Clear();
        var length = Encoding.UTF8.GetBytes(nqn.AsSpan(), field[..^1]);
        field[length] = 0;
    }

    private static string ReadText(ReadOnlySpan<byte> field) => Encoding.ASCII.GetString(field).TrimEnd(' ', '\0');

    private static uint ReadUInt32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
}
