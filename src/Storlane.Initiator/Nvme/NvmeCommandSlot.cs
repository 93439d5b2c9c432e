using System.Diagnostics;
using System.Threading.Tasks.Sources;
using Storlane.Initiator.Session;
using Storlane.Nvme;

namespace Storlane.Initiator.Nvme;

/// <summary>
/// One command identifier of a queue and what its command needs while in flight: the SQE, the
/// caller's buffers, and a reusable completion source, so a command allocates nothing. The slot
/// is released back to its queue when the caller has taken the result.
/// </summary>
internal sealed class NvmeCommandSlot : IValueTaskSource<CompletionEntry>
{
    private const int Free = 0;
    private const int Active = 1;
    private const int Done = 2;

    private readonly NvmeTcpQueuePair _queue;
    private ManualResetValueTaskSourceCore<CompletionEntry> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;

    public NvmeCommandSlot(NvmeTcpQueuePair queue, ushort commandId)
    {
        _queue = queue;
        CommandId = commandId;
    }

    public ushort CommandId { get; }

    public NvmeCommand Command;

    public Memory<byte> DataIn;

    public ReadOnlyMemory<byte> DataOut;

    /// <summary>The data goes in the capsule, not by R2T.</summary>
    public bool InCapsule;

    /// <summary>C2HData bytes received so far (they must arrive in order and fill the buffer).</summary>
    public int Received;

    public bool DataDigestFailed;

    public long StartTimestamp;

    /// <summary>How long the command may stay unanswered; infinite for an AER, which the controller holds.</summary>
    public TimeSpan Timeout;

    public CommandTag? Tag;

    public bool IsActive => Volatile.Read(ref _state) == Active;

    public short Version => _core.Version;

    public void Begin(in NvmeCommand command, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, TimeSpan timeout, CommandTag? tag)
    {
        Command = command;
        DataIn = dataIn;
        DataOut = dataOut;
        Received = 0;
        DataDigestFailed = false;
        Timeout = timeout;
        Tag = tag;
        StartTimestamp = Stopwatch.GetTimestamp();
        Volatile.Write(ref _state, Active);
    }

    public bool IsOverdue(long now) =>
        IsActive && Timeout != System.Threading.Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(StartTimestamp, now) > Timeout;

    /// <summary>Completes once; false when the slot was completed (or failed) already.</summary>
    public bool TryComplete(in CompletionEntry completion)
    {
        if (Interlocked.CompareExchange(ref _state, Done, Active) != Active)
        {
            return false;
        }

        _core.SetResult(completion);
        return true;
    }

    public bool TryFail(Exception error)
    {
        if (Interlocked.CompareExchange(ref _state, Done, Active) != Active)
        {
            return false;
        }

        _core.SetException(error);
        return true;
    }

    public CompletionEntry GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            DataIn = default;
            DataOut = default;
            Tag = null;
            _core.Reset();
            Volatile.Write(ref _state, Free);
            _queue.Release(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
