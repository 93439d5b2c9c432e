using System.Buffers;
using Storlane.Scsi;

namespace Storlane.Target.Connections;

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

    private readonly byte[] _cdb = new byte[MaxCdbLength];
    private CancellationTokenSource _cancellation = new();

    public ScsiCommand Command { get; } = new();

    public Lock StateLock { get; } = new();

    public uint InitiatorTaskTag { get; set; }

    public uint CmdSN { get; set; }

    public ulong LunField { get; set; }

    public uint ExpectedLength { get; set; }

    public bool IsRead { get; set; }

    public bool IsWrite { get; set; }

    public TargetTaskState State { get; set; }

    /// <summary>Set by task management; an aborted task sends no response (SAM-5 TAS=0).</summary>
    public bool Aborted { get; set; }

    /// <summary>Signalled when an aborted, executing task has come back from the SCSI layer.</summary>
    public TaskCompletionSource? AbortWaiter { get; set; }

    /// <summary>Rented transfer buffer: data-out gathered here, or data-in produced here.</summary>
    public byte[]? Buffer { get; private set; }

    /// <summary>Data-out bytes received so far.</summary>
    public uint ReceivedBytes { get; set; }

    /// <summary>End of the region the initiator may send unsolicited (immediate data and Data-Out with TTT=0xffffffff).</summary>
    public uint UnsolicitedEnd { get; set; }

    /// <summary>Offset the next R2T asks for.</summary>
    public uint NextR2TOffset { get; set; }

    public int OutstandingR2Ts { get; set; }

    public uint NextR2TSN { get; set; }

    public ScsiResult Result { get; set; }

    public CancellationToken CancellationToken => _cancellation.Token;

    public Memory<byte> Cdb(int length) => _cdb.AsMemory(0, length);

    public Span<byte> CdbSpan => _cdb;

    public void RentBuffer(uint length)
    {
        Buffer = length == 0 ? [] : ArrayPool<byte>.Shared.Rent((int)length);
    }

    public void Cancel()
    {
        Aborted = true;
        _cancellation.Cancel();
    }

    /// <summary>Returns the buffer and clears every field so the object can serve the next command.</summary>
    public void Reset()
    {
        if (Buffer is { Length: > 0 } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Buffer = null;
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
        Result = default;
    }
}
