namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>SPC-4 6.47 TEST UNIT READY: the medium is never absent, so the unit is always ready.</summary>
    public static ValueTask<ScsiResult> TestUnitReady(CommandContext context) => new(ScsiResult.Good());
}
