namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SBC-3 5.25 START STOP UNIT. There is no medium to spin or eject (RMB = 0), so every form is
    /// accepted. A stop (START = 0, POWER CONDITION 0h) without NO_FLUSH first writes cached data to
    /// the medium, as SBC-3 asks of a logical unit going to the stopped state.
    /// </summary>
    public static ValueTask<ScsiResult> StartStopUnit(CommandContext context)
    {
        var cdb = context.Cdb;
        var start = (cdb[4] & 0x01) != 0;
        var noFlush = (cdb[4] & 0x04) != 0;
        var powerCondition = cdb[4] >> 4;
        if (start || noFlush || powerCondition != 0)
        {
            return new(ScsiResult.Good());
        }

        return FlushThenGoodAsync(context);
    }

    private static async ValueTask<ScsiResult> FlushThenGoodAsync(CommandContext context)
    {
        await context.Unit.Device.FlushAsync(context.CancellationToken).ConfigureAwait(false);
        return ScsiResult.Good();
    }
}
