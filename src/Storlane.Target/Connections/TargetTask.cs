using Storlane.Scsi;

namespace Storlane.Target.Connections;

/// <summary>What an abort found a task doing (<see cref="TargetTask.TryAbort"/>).</summary>
internal enum TaskAbortOutcome
{
    /// <summary>Its command completed (status queued or sent), or the task object already serves another command.</summary>
    AlreadyCompleted,

    /// <summary>Still gathering Data-Out: cancelled; the receive loop that owns it removes it.</summary>
    AbortedWhileReceiving,

    /// <summary>In the SCSI layer: cancelled; the waiter <see cref="TargetTask.TryAbort"/> hands out completes at its return.</summary>
    AbortedWhileExecuting,
}

internal enum TargetTaskState
{
    /// <summary>Waiting for Data-Out (immediate, unsolicited or solicited by R2T).</summary>
    Receiving,

    /// <summary>Handed to the SCSI layer.</summary>
    Executing,

    /// <summary>The SCSI layer returned; the completion is queued or written.</summary>
    Completed,
}

/// <summary>
/// One SCSI task on a connection, pooled and reused: the iSCSI bookkeeping (tags, R2T state,
/// DataSN) plus the <see cref="ScsiCommand"/> handed to the SCSI layer and the data buffer rented
/// for its transfer. Owned by the connection's receive loop until executing, then by the
/// completion path, then by the writer loop, which returns it to the pool.
/// </summary>
internal sealed class TargetTask
{
    /// <summary>16 CDB bytes in the BHS plus an extended-CDB AHS (RFC 7143 11.2.2.3) of up to 244 more.</summary>
    public const int MaxCdbLength = 260;

    /// <summary>Outstanding R2Ts a task can have: the target never negotiates MaxOutstandingR2T above this.</summary>
    public const int MaxOutstandingR2TSlots = 16;

    private readonly byte[] _cdb = new byte[MaxCdbLength];
    private readonly SolicitedSequence[] _sequences = new SolicitedSequence[MaxOutstandingR2TSlots];
    private CancellationTokenSource _cancellation = new();
    private bool _aborted;

    public ScsiCommand Command { get; } = new();

    public Lock StateLock { get; } = new();

    /// <summary>
    /// Bumped on every reset: a queued R2T remembers it, so an R2T for a task that was aborted and
    /// recycled meanwhile is dropped instead of going out under the next command's tag.
    /// </summary>
    public uint Generation { get; private set; }

    public uint InitiatorTaskTag { get; set; }

    public uint CmdSN { get; set; }

    public ulong LunField { get; set; }

    public uint ExpectedLength { get; set; }

    public bool IsRead { get; set; }

    public bool IsWrite { get; set; }

    public TargetTaskState State { get; set; }

    /// <summary>Set by task management; an aborted task sends no response (SAM-5 TAS=0).</summary>
    public bool Aborted
    {
        get => Volatile.Read(ref _aborted);
        set => Volatile.Write(ref _aborted, value);
    }

    /// <summary>Signalled when an aborted, executing task has come back from the SCSI layer.</summary>
    public TaskCompletionSource? AbortWaiter { get; set; }

    /// <summary>Rented transfer buffer: data-out gathered here, or data-in produced here.</summary>
    public byte[]? Buffer { get; private set; }

    /// <summary>Bytes of the connection's buffer budget this task holds (its transfer length); the connection gives them back.</summary>
    public uint BufferCharge { get; set; }

    /// <summary>Data-out bytes received so far.</summary>
    public uint ReceivedBytes { get; set; }

    /// <summary>End of the region the initiator may send unsolicited (immediate data and Data-Out with TTT=0xffffffff).</summary>
    public uint UnsolicitedEnd { get; set; }

    /// <summary>Offset the next R2T asks for.</summary>
    public uint NextR2TOffset { get; set; }

    public int OutstandingR2Ts { get; set; }

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the SCSI Command PDU arrived: the start of its latency.</summary>
    public long ArrivedTimestamp { get; set; }

    public uint NextR2TSN { get; set; }

    /// <summary>DataSN the next unsolicited Data-Out must carry (its sequence is keyed by the ITT).</summary>
    public uint UnsolicitedNextDataSN { get; set; }

    /// <summary>Unsolicited Data-Out may still arrive: the burst has not ended with an F bit yet.</summary>
    public bool UnsolicitedOpen { get; set; }

    /// <summary>
    /// Some of the task's data was lost (a DataSN gap implies a digest error on an earlier Data-Out,
    /// RFC 7143 7.8.2): the rest is discarded and the task ends with CHECK CONDITION once the
    /// initiator has sent everything it was asked for.
    /// </summary>
    public bool DataLost { get; set; }

    /// <summary>Every Data-Out the initiator owes has arrived (or been discarded): no open unsolicited burst, no outstanding R2T.</summary>
    public bool AllDataSequencesEnded => !UnsolicitedOpen && OutstandingR2Ts == 0;

    public ScsiResult Result { get; set; }

    /// <summary>The SCSI layer's unfinished answer, held until <see cref="ExecutionEnded"/> runs.</summary>
    public ValueTask<ScsiResult> PendingExecution { get; set; }

    /// <summary>
    /// The connection's continuation for <see cref="PendingExecution"/>, made once per task object
    /// (tasks are pooled), so a command that waits on its device allocates no delegate.
    /// </summary>
    public Action? ExecutionEnded { get; set; }

    /// <summary>Takes <see cref="PendingExecution"/>: a ValueTask is consumed once, and a stale one must not outlive its command.</summary>
    public ValueTask<ScsiResult> TakePendingExecution()
    {
        var pending = PendingExecution;
        PendingExecution = default;
        return pending;
    }

    public CancellationToken CancellationToken => _cancellation.Token;

    public Memory<byte> Cdb(int length) => _cdb.AsMemory(0, length);

    public Span<byte> CdbSpan => _cdb;

    /// <summary>Remembers an R2T so its Data-Out can be checked: TTT, range and DataSN order.</summary>
    public void TrackSequence(uint targetTransferTag, uint offset, uint length)
    {
        for (var i = 0; i < _sequences.Length; i++)
        {
            if (!_sequences[i].InUse)
            {
                _sequences[i] = new SolicitedSequence { InUse = true, Tag = targetTransferTag, Offset = offset, Length = length };
                return;
            }
        }

        throw new InvalidOperationException("more R2Ts outstanding than MaxOutstandingR2TSlots");
    }

    /// <summary>
    /// Checks one solicited Data-Out against its R2T: "For output (write) data PDUs, the DataSN is
    /// the Data-Out PDU number within the current output sequence" (RFC 7143 11.7.5), and the data
    /// must lie inside the range the R2T asked for. The F bit ends the sequence either way.
    /// </summary>
    public DataOutCheck AcceptSolicited(uint targetTransferTag, uint dataSN, uint offset, uint length, bool final)
    {
        for (var i = 0; i < _sequences.Length; i++)
        {
            ref var sequence = ref _sequences[i];
            if (!sequence.InUse || sequence.Tag != targetTransferTag)
            {
                continue;
            }

            if (offset < sequence.Offset || offset + length > sequence.Offset + sequence.Length)
            {
                return DataOutCheck.Invalid;
            }

            var inOrder = dataSN == sequence.NextDataSN;
            sequence.NextDataSN = dataSN + 1;
            if (final)
            {
                sequence.InUse = false;
            }

            return inOrder ? DataOutCheck.Accepted : DataOutCheck.SequenceGap;
        }

        return DataOutCheck.Invalid;
    }

    /// <summary>Ends the sequence of an R2T whose Data-Out was lost to a digest error, when its F bit is known.</summary>
    public bool EndSequence(uint targetTransferTag)
    {
        for (var i = 0; i < _sequences.Length; i++)
        {
            if (_sequences[i].InUse && _sequences[i].Tag == targetTransferTag)
            {
                _sequences[i].InUse = false;
                return true;
            }
        }

        return false;
    }

    public void RentBuffer(uint length)
    {
        Buffer = length == 0 ? [] : TransferBuffers.Rent((int)length);
    }

    public void Cancel()
    {
        Aborted = true;
        _cancellation.Cancel();
    }

    /// <summary>
    /// Aborts the command this task served when it was looked up (<paramref name="generation"/>).
    /// The writer recycles a completed task outside the connection's task map lock, so between the
    /// lookup and this call the object may have been reset for the next command: that command is not
    /// the one being aborted, and its old command completed (SAM-5 7.2: the task does not exist).
    /// <paramref name="ended"/> completes when an executing command comes back from the SCSI layer;
    /// it is taken here, under the state lock, because once the command ends this object may serve
    /// another one and a later look at <see cref="AbortWaiter"/> would find that one's.
    /// </summary>
    public TaskAbortOutcome TryAbort(uint generation, out Task? ended)
    {
        ended = null;
        lock (StateLock)
        {
            if (Generation != generation)
            {
                return TaskAbortOutcome.AlreadyCompleted;
            }

            switch (State)
            {
                case TargetTaskState.Executing:
                    ended = WaitForEndLocked();
                    Cancel();
                    return TaskAbortOutcome.AbortedWhileExecuting;
                case TargetTaskState.Receiving:
                    Cancel();
                    return TaskAbortOutcome.AbortedWhileReceiving;
                default:
                    return TaskAbortOutcome.AlreadyCompleted;
            }
        }
    }

    /// <summary>
    /// Aborts the task for another I_T nexus (CLEAR TASK SET, LU or target reset) unless its command
    /// has completed, whatever command it serves now (the caller holds the task map lock, so it is
    /// one of the connection's live tasks). Returns when an executing command has come back, or null.
    /// </summary>
    public Task? AbortForOtherNexus(ulong? lun)
    {
        lock (StateLock)
        {
            if ((lun is not null && Command.Lun != lun) || State == TargetTaskState.Completed)
            {
                return null;
            }

            var ended = State == TargetTaskState.Executing ? WaitForEndLocked() : null;
            Cancel();
            return ended;
        }
    }

    /// <summary>
    /// A task that an earlier TMF is already waiting for keeps that waiter: both responses follow
    /// its end (replacing it would leave the first never answered).
    /// </summary>
    private Task WaitForEndLocked()
    {
        AbortWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return AbortWaiter.Task;
    }

    /// <summary>
    /// Returns the buffer and clears every field so the object can serve the next command; under
    /// <see cref="StateLock"/>, so an abort sees either the old command or the new generation.
    /// </summary>
    public void Reset()
    {
        lock (StateLock)
        {
            ResetFields();
        }
    }

    private void ResetFields()
    {
        if (Buffer is { Length: > 0 } buffer)
        {
            TransferBuffers.Return(buffer);
        }

        Buffer = null;
        Generation++;
        Command.Reset();
        if (!_cancellation.TryReset())
        {
            _cancellation.Dispose();
            _cancellation = new CancellationTokenSource();
        }

        InitiatorTaskTag = 0;
        CmdSN = 0;
        LunField = 0;
        ExpectedLength = 0;
        IsRead = false;
        IsWrite = false;
        State = TargetTaskState.Receiving;
        Aborted = false;
        AbortWaiter = null;
        ReceivedBytes = 0;
        UnsolicitedEnd = 0;
        NextR2TOffset = 0;
        OutstandingR2Ts = 0;
        NextR2TSN = 0;
        UnsolicitedNextDataSN = 0;
        UnsolicitedOpen = false;
        DataLost = false;
        Array.Clear(_sequences);
        Result = default;
    }
}

/// <summary>What a Data-Out is, checked against the sequence it claims to belong to.</summary>
internal enum DataOutCheck
{
    Accepted,

    /// <summary>Its DataSN skips or repeats: an earlier PDU of the sequence was lost (RFC 7143 7.8.2).</summary>
    SequenceGap,

    /// <summary>No such TTT, or data outside the R2T's range: a protocol error, not a lost PDU.</summary>
    Invalid,
}

/// <summary>One R2T's Data-Out sequence: which TTT, which range, which DataSN comes next.</summary>
internal struct SolicitedSequence
{
    public bool InUse;
    public uint Tag;
    public uint Offset;
    public uint Length;
    public uint NextDataSN;
}
