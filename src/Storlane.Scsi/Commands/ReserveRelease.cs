namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SPC-2 7.21 RESERVE(6) / 7.22 RESERVE(10) (obsolete in SPC-4, still sent by Windows failover
    /// clusters and checked by libiscsi): a logical unit reservation for the I_T nexus. Re-reserving by
    /// the holder is GOOD; another nexus gets RESERVATION CONFLICT, and so does anyone while persistent
    /// reservations are in use (CRH = 1, SPC-4 5.12.3). Third-party and extent reservations are outside
    /// the usage mask. Kept in the shared reservation state, so it holds across gateways. Released by RELEASE, LOGICAL UNIT RESET, target reset and I_T nexus loss.
    /// </summary>
    public static async ValueTask<ScsiResult> Reserve(CommandContext context) =>
        await context.Unit.Reservations.ReserveLegacyAsync(context.Command.Nexus, context.CancellationToken).ConfigureAwait(false) ? ScsiResult.Good() : ScsiResult.ReservationConflict;

    /// <summary>SPC-2 7.17 RELEASE(6) / 7.18 RELEASE(10): "If ... not the holder ... GOOD status" without releasing anything.</summary>
    public static async ValueTask<ScsiResult> Release(CommandContext context) =>
        await context.Unit.Reservations.ReleaseLegacyAsync(context.Command.Nexus, context.CancellationToken).ConfigureAwait(false) ? ScsiResult.Good() : ScsiResult.ReservationConflict;
}
