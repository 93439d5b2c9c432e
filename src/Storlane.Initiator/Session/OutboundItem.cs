namespace Storlane.Initiator.Session;

internal enum OutboundKind
{
    /// <summary>A SCSI Command, its immediate data and any unsolicited Data-Out.</summary>
    Command,

    /// <summary>The Data-Out sequence answering one R2T.</summary>
    DataOut,

    /// <summary>A NOP-Out answering the target's NOP-In ping.</summary>
    NopAnswer,

    /// <summary>NOP-Out ping, task management, logout or text request.</summary>
    Control,
}

/// <summary>One unit of work for the writer loop; a struct so queueing allocates nothing.</summary>
internal readonly record struct OutboundItem(OutboundKind Kind, InitiatorTask? Task, uint TargetTransferTag, uint Offset, int Length, ulong LunField, uint CmdSN)
{
    public static OutboundItem Command(InitiatorTask task) => new(OutboundKind.Command, task, 0, 0, 0, 0, 0);

    public static OutboundItem Control(InitiatorTask task) => new(OutboundKind.Control, task, 0, 0, 0, 0, 0);

    public static OutboundItem DataOut(InitiatorTask task, uint targetTransferTag, uint offset, int length) =>
        new(OutboundKind.DataOut, task, targetTransferTag, offset, length, 0, 0);

    public static OutboundItem NopAnswer(uint targetTransferTag, ulong lunField, uint cmdSN) =>
        new(OutboundKind.NopAnswer, null, targetTransferTag, 0, 0, lunField, cmdSN);
}
