namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SPC-4 6.47 TEST UNIT READY: the unit is ready. An unloaded removable medium never gets here: the
    /// command table marks TEST UNIT READY as needing the medium, so dispatch answers NOT READY, MEDIUM
    /// NOT PRESENT first.
    /// </summary>
    public static ValueTask<ScsiResult> TestUnitReady(CommandContext context) => new(ScsiResult.Good());
}
