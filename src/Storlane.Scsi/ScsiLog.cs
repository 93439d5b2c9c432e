using Microsoft.Extensions.Logging;

namespace Storlane.Scsi;

/// <summary>Source-generated log messages of the SCSI layer (no formatting unless enabled).</summary>
internal static partial class ScsiLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "{Target} LUN {Lun}: {Command} failed in the block device")]
    public static partial void CommandFailed(ILogger logger, string target, ulong lun, string command, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Target} LUN {Lun}: LOGICAL UNIT RESET from {Nexus}")]
    public static partial void LogicalUnitReset(ILogger logger, string target, ulong lun, object nexus);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "{Target}: TARGET {Kind} RESET from {Nexus}")]
    public static partial void TargetReset(ILogger logger, string target, string kind, ItNexus nexus);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "{Target} LUN {Lun}: SANITIZE {Kind} started; the unit is not ready until it completes")]
    public static partial void SanitizeStarted(ILogger logger, string target, ulong lun, string kind);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "{Target} LUN {Lun}: SANITIZE {Kind} completed in {Seconds:F1} s")]
    public static partial void SanitizeCompleted(ILogger logger, string target, ulong lun, string kind, double seconds);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "{Target} LUN {Lun}: a SANITIZE was under way when the target stopped ({Journal}); it starts again now")]
    public static partial void SanitizeResumed(ILogger logger, string target, ulong lun, string journal);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "{Target} LUN {Lun}: the shared reservation state could not be updated; an SPC-2 reservation stays until its holder releases it")]
    public static partial void ReservationStateUnavailable(ILogger logger, string target, ulong lun, Exception exception);
}
