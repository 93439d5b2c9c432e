namespace Storlane.Scsi;

/// <summary>What a command handler gets: passed by value, so running a command allocates nothing.</summary>
internal readonly struct CommandContext(ScsiTargetDevice target, LogicalUnit? unit, ScsiCommand command, CancellationToken cancellationToken)
{
    public ScsiTargetDevice Target { get; } = target;

    /// <summary>Null only for commands answered without a logical unit (REPORT LUNS, and INQUIRY/REQUEST SENSE to a missing LUN).</summary>
    public LogicalUnit? UnitOrNull { get; } = unit;

    public LogicalUnit Unit => UnitOrNull!;

    public ScsiCommand Command { get; } = command;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public ReadOnlySpan<byte> Cdb => Command.Cdb.Span;
}

internal delegate ValueTask<ScsiResult> CommandHandler(CommandContext context);

/// <summary>Which sense a device exception turns into (SPC-4 4.5.6).</summary>
internal enum DeviceErrorKind
{
    /// <summary>HARDWARE ERROR, INTERNAL TARGET FAILURE.</summary>
    Other,

    /// <summary>MEDIUM ERROR, UNRECOVERED READ ERROR.</summary>
    Read,

    /// <summary>MEDIUM ERROR, WRITE ERROR.</summary>
    Write,
}
