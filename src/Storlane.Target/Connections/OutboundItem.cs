namespace Storlane.Target.Connections;

internal enum OutboundKind : byte
{
    Control,
    ReadyToTransfer,
    Completion,
}

/// <summary>
/// One entry of the connection's send queue; a struct so queueing a completion allocates nothing.
/// <see cref="Bytes"/> is about what it puts on the wire, counted against the connection's queue limit.
/// </summary>
internal readonly record struct OutboundItem(OutboundKind Kind, TargetTask? Task, ControlPdu? Control, uint TargetTransferTag, uint R2TSN, uint Offset, uint Length, uint TaskGeneration, long Bytes)
{
    private const int HeaderBytes = 48;

    public static OutboundItem ForControl(ControlPdu pdu) => new(OutboundKind.Control, null, pdu, 0, 0, 0, 0, 0, HeaderBytes + pdu.Data.Length);

    /// <summary>Data-In (reads) or sense, and the status header.</summary>
    public static OutboundItem ForCompletion(TargetTask task)
    {
        var result = task.Result;
        var data = task.IsRead ? Math.Min((uint)Math.Max(0, result.DataInLength), task.ExpectedLength) : 0u;
        return new(OutboundKind.Completion, task, null, 0, 0, 0, 0, task.Generation, HeaderBytes + data + result.SenseLength);
    }

    public static OutboundItem ForR2T(TargetTask task, uint ttt, uint r2tsn, uint offset, uint length) =>
        new(OutboundKind.ReadyToTransfer, task, null, ttt, r2tsn, offset, length, task.Generation, HeaderBytes);
}
