using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SBC-3 5.25 START STOP UNIT. With a POWER CONDITION other than 0h the START and LOEJ bits are
    /// ignored, and there is no power state to change, so every such form is GOOD. With POWER CONDITION 0h and LOEJ = 1 a removable unit
    /// (<see cref="LogicalUnit.IsRemovable"/>) unloads the medium (START = 0) or loads it (START = 1);
    /// either is refused with ILLEGAL REQUEST, MEDIUM REMOVAL PREVENTED while any I_T nexus prevents
    /// removal (SBC-3 5.11). Loading a medium that was unloaded raises NOT READY TO READY CHANGE, MEDIUM
    /// MAY HAVE CHANGED (28h/00h, SPC-4 4.5.6) on every other I_T nexus; the nexus that loaded it knows.
    /// A unit that is not removable has no medium to move: LOEJ is accepted and does nothing. A stop
    /// (START = 0) without NO_FLUSH, an unload included, first writes cached data to the medium, as
    /// SBC-3 asks of a logical unit going to the stopped state. The medium and the preventions are the
    /// logical unit's, kept in its shared state: a prevention through one gateway refuses an eject
    /// through another, and an eject through one is MEDIUM NOT PRESENT at all of them.
    /// </summary>
    public static ValueTask<ScsiResult> StartStopUnit(CommandContext context)
    {
        var cdb = context.Cdb;
        var start = (cdb[4] & 0x01) != 0;
        var loadEject = (cdb[4] & 0x02) != 0;
        var noFlush = (cdb[4] & 0x04) != 0;
        var powerCondition = cdb[4] >> 4;
        if (powerCondition != 0)
        {
            return new(ScsiResult.Good());
        }

        var unit = context.Unit;
        if (loadEject && unit.IsRemovable)
        {
            if (start)
            {
                return LoadAsync(context);
            }

            if (unit.MediumRemovalPrevented)
            {
                // Refused before the flush: nothing happens to a medium that stays in place.
                ScsiErrors.MediumRemovalPrevented();
            }

            return unit.MediumRemoved || noFlush ? UnloadAsync(context) : FlushThenUnloadAsync(context);
        }

        if (start || noFlush || unit.MediumRemoved)
        {
            return new(ScsiResult.Good());
        }

        return FlushThenGoodAsync(context);
    }

    /// <summary>
    /// SBC-3 5.11 PREVENT ALLOW MEDIUM REMOVAL, on removable units only (the command table's
    /// SupportedBy). PREVENT 00b allows and 01b prevents removal for the I_T nexus that sent it; the
    /// prevention holds while any nexus prevents, and ends for a nexus on its I_T nexus loss and for all
    /// on a logical unit reset or hard reset. 10b and 11b are obsolete (they concerned a medium changer)
    /// and refused: INVALID FIELD IN CDB. SBC-3 4.17: PREVENT 00b is allowed under every reservation,
    /// any other value conflicts with a reservation held through another nexus.
    /// </summary>
    public static async ValueTask<ScsiResult> PreventAllowMediumRemoval(CommandContext context)
    {
        var prevent = context.Cdb[4] & 0x03;
        if (prevent > 1)
        {
            ScsiErrors.InvalidFieldInCdb(4, 1);
        }

        var unit = context.Unit;
        var nexus = context.Command.Nexus;
        if (prevent == 1 && unit.Reservations.Conflicts(nexus, ReservationAccess.Write))
        {
            return ScsiResult.ReservationConflict;
        }

        // Stored for every gateway (the shared state) before GOOD: an eject through another then sees it.
        await unit.Reservations.SetPreventionAsync(nexus, prevent == 1, context.CancellationToken).ConfigureAwait(false);
        return ScsiResult.Good();
    }

    private static async ValueTask<ScsiResult> LoadAsync(CommandContext context)
    {
        var unit = context.Unit;
        if (await unit.Reservations.LoadOrUnloadAsync(load: true, context.CancellationToken).ConfigureAwait(false))
        {
            context.Target.EstablishForOtherNexuses(unit, AdditionalSense.NotReadyToReadyChangeMediumMayHaveChanged, context.Command.Nexus);
        }

        return ScsiResult.Good();
    }

    private static async ValueTask<ScsiResult> UnloadAsync(CommandContext context)
    {
        await context.Unit.Reservations.LoadOrUnloadAsync(load: false, context.CancellationToken).ConfigureAwait(false);
        return ScsiResult.Good();
    }

    private static async ValueTask<ScsiResult> FlushThenUnloadAsync(CommandContext context)
    {
        await context.Unit.Device.FlushAsync(context.CancellationToken).ConfigureAwait(false);
        return await UnloadAsync(context).ConfigureAwait(false);
    }

    private static async ValueTask<ScsiResult> FlushThenGoodAsync(CommandContext context)
    {
        await context.Unit.Device.FlushAsync(context.CancellationToken).ConfigureAwait(false);
        return ScsiResult.Good();
    }
}
