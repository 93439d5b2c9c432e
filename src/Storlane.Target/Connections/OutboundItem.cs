namespace Storlane.Target.Connections;

internal enum OutboundKind : byte
{
    Control,
    ReadyToTransfer,
    Completion,
}

/// <summary>One entry of the connection's send queue; a struct so queueing a completion allocates nothing.</summary>
internal readonly record struct OutboundItem(OutboundKind Kind, TargetTask? Task, ControlPdu? Control, uint TargetTransferTag, uint R2TSN, uint Offset, uint Length, uint TaskGeneration)
{
    public static OutboundItem ForControl(ControlPdu pdu) => new(OutboundKind.Control, null, pdu, 0, 0, 0, 0, 0);

    public static OutboundItem ForCompletion(TargetTask task) => new(OutboundKind.Completion, task, null, 0, 0, 0, 0, task.Generation);

    public static OutboundItem ForR2T(TargetTask task, uint ttt, uint r2tsn, uint offset, uint length) =>
        new(OutboundKind.ReadyToTransfer, task, null, ttt, r2tsn, offset, length, task.Generation);
}
