using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Port;

/// <summary>The rungs of the reset ladder for a command that timed out, narrowest first.</summary>
public enum ResetStep
{
    AbortTask,
    LogicalUnitReset,
    TargetWarmReset,
    Reconnect,
}

/// <summary>One rung tried: on which transport and LU, whether it cleared the command, and how long it took.</summary>
public sealed record ResetLadderEvent(string Transport, ulong Lun, ResetStep Step, bool Succeeded, TimeSpan Elapsed, string? Error);

/// <summary>The LU answered BUSY or TASK SET FULL: the port backs off and, for TASK SET FULL, lowers the LU's depth.</summary>
public sealed record QueueFullEvent(string Transport, ulong Lun, ScsiStatus Status, int NewDepth, TimeSpan Backoff);

/// <summary>A command outlived <see cref="PortOptions.CommandTimeout"/> and the reset ladder ended it; it did not complete and may be reissued.</summary>
public sealed class PortCommandTimeoutException : IOException
{
    public PortCommandTimeoutException(string message)
        : base(message)
    {
    }
}
