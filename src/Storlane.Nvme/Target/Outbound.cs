using Storlane.Nvme.Tcp;

namespace Storlane.Nvme.Target;

internal enum OutboundKind : byte
{
    ICResp,
    Response,
    Data,
    R2T,
    TermReq,
}

/// <summary>One PDU (or data run) for the writer loop; a struct, so queueing allocates nothing per command.</summary>
internal struct Outbound
{
    public OutboundKind Kind;
    public CompletionEntry Completion;
    public ushort CommandId;
    public ushort TransferTag;
    public uint Offset;
    public int Length;

    /// <summary>Data to send (returned to the pool after it is written) or, for a TermReq, the offending header.</summary>
    public byte[]? Buffer;
    public FatalErrorStatus FatalStatus;

    /// <summary>Buffer bytes reserved against the connection's budget, released once the data is sent.</summary>
    public int Reserved;

    /// <summary>Data whose last C2HData carries SUCCESS: it stands for the command's CapsuleResp.</summary>
    public bool Completes;

    /// <summary>Data followed by its command's CapsuleResp (<see cref="Completion"/>), written together.</summary>
    public bool ThenRespond;
}
