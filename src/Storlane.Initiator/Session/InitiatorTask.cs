using System.Buffers;
using System.Threading.Tasks.Sources;
using Storlane.Iscsi.Pdu;

namespace Storlane.Initiator.Session;

/// <summary>
/// One initiator task tag and everything that arrives for it. Pooled per slot of the
/// <see cref="TaskTable"/>: two owners hold it, the caller awaiting the result and the protocol
/// (until the target's final answer, an abort, or the end of the session); the last one out
/// returns it. Once the caller has gone (cancellation), <see cref="Abandoned"/> is set under the
/// task's lock and neither the receive loop nor the writer touches the caller's buffers again.
/// </summary>
internal sealed class InitiatorTask : IValueTaskSource<ScsiCommandResult>
{
    private readonly TaskTable _table;
    private ManualResetValueTaskSourceCore<ScsiCommandResult> _core;
    private CancellationTokenRegistration _registration;
    private int _callerDone;
    private int _owners;

    public InitiatorTask(TaskTable table, int slot)
    {
        _table = table;
        Slot = slot;
        _core.RunContinuationsAsynchronously = true;
    }

    public int Slot { get; }

    public uint Itt { get; set; }

    public TaskKind Kind { get; set; }

    public uint CmdSN { get; set; }

    public ulong LunField { get; set; }

    public byte[] Cdb { get; } = new byte[16];

    public int CdbLength { get; set; }

    public Memory<byte> ReadBuffer { get; set; }

    public ReadOnlyMemory<byte> WriteBuffer { get; set; }

    /// <summary>Expected Data Transfer Length.</summary>
    public int TransferLength { get; set; }

    /// <summary>Data-In bytes received so far.</summary>
    public int BytesIn { get; set; }

    /// <summary>Next DataSN expected on Data-In: "DataSN ... starts with 0 ... incremented by 1 for every Data-In" (11.7.5).</summary>
    public uint ExpectedDataSN { get; set; }

    public int OutstandingR2T;

    /// <summary>CmdSN assigned and the PDU queued for the writer.</summary>
    public bool Sent { get; set; }

    /// <summary>The caller cancelled; guarded by lock(this).</summary>
    public bool Abandoned { get; private set; }

    /// <summary>The target's part is over; guarded by lock(this).</summary>
    public bool ProtocolDone { get; private set; }

    public long StartTicks { get; set; }

    /// <summary>Told the ITT and CmdSN when a SCSI command is sent; null for most callers.</summary>
    public CommandTag? Tag { get; set; }

    public IscsiSession? Session { get; set; }

    // Task management, ping, logout and text fields.
    public TaskManagementFunction Function { get; set; }

    public uint ReferencedItt { get; set; }

    public uint RefCmdSN { get; set; }

    public LogoutReason LogoutReason { get; set; }

    public ReadOnlyMemory<byte> TextRequest { get; set; }

    public uint TextTargetTransferTag { get; set; } = Bhs.ReservedTag;

    public ArrayBufferWriter<byte>? TextReply { get; set; }

    public short Version => _core.Version;

    public ValueTask<ScsiCommandResult> AsValueTask() => new(this, _core.Version);

    /// <summary>Arms the task for a new use; the caller and the protocol each hold it.</summary>
    public void Start(CancellationToken cancellationToken)
    {
        _owners = 2;
        _callerDone = 0;
        Abandoned = false;
        ProtocolDone = false;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static state => ((InitiatorTask)state!).CancelByCaller(), this);
        }
    }

    /// <summary>Claims the protocol side's completion; false when someone (answer, abort, failure) already did.</summary>
    public bool TryFinishProtocol()
    {
        lock (this)
        {
            if (ProtocolDone)
            {
                return false;
            }

            ProtocolDone = true;
            return true;
        }
    }

    public void CompleteCaller(in ScsiCommandResult result)
    {
        if (Interlocked.Exchange(ref _callerDone, 1) == 0)
        {
            _registration.Unregister();
            _core.SetResult(result);
        }
    }

    public void FailCaller(Exception exception)
    {
        if (Interlocked.Exchange(ref _callerDone, 1) == 0)
        {
            _registration.Unregister();
            _core.SetException(exception);
        }
    }

    /// <summary>Drops the protocol's hold; the caller's hold goes in <see cref="GetResult"/>.</summary>
    public void ReleaseProtocol() => Release();

    public ScsiCommandResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void CancelByCaller()
    {
        lock (this)
        {
            if (ProtocolDone)
            {
                return;
            }

            Abandoned = true;
        }

        FailCaller(new OperationCanceledException(_registration.Token));
        Session?.OnAbandoned(this);
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _owners) == 0)
        {
            _registration = default;
            ReadBuffer = default;
            WriteBuffer = default;
            TextRequest = default;
            TextReply = null;
            TextTargetTransferTag = Bhs.ReservedTag;
            BytesIn = 0;
            ExpectedDataSN = 0;
            OutstandingR2T = 0;
            Sent = false;
            Session = null;
            _core.Reset();
            _table.Return(this);
        }
    }
}
