using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>A reservation change as another transport tells its hosts of it: which LU, which registrant, which condition.</summary>
/// <param name="Lun">The logical unit whose reservation changed.</param>
/// <param name="InitiatorPortName">The registrant told: an initiator port name as the transport named its host (<see cref="ItNexus.InitiatorPortName"/>).</param>
/// <param name="Sense">RESERVATIONS PREEMPTED, RESERVATIONS RELEASED or REGISTRATIONS PREEMPTED (SPC-4 5.12.11).</param>
public readonly record struct ReservationNoticeEvent(ulong Lun, string InitiatorPortName, AdditionalSense Sense);

/// <summary>
/// Reservation notices for transports that keep no SCSI unit attentions: an NVMe host learns of a
/// preemption or release from a Reservation Notification log page (NVMe base 2.0, 8.19.6) instead.
/// Raised for every notice the reservation state asks for, whichever gateway or transport caused it.
/// </summary>
public sealed partial class ScsiTargetDevice
{
    public event Action<ReservationNoticeEvent>? ReservationNoticeRaised;

    private void RaiseReservationNotices(LogicalUnit unit, List<ReservationNotice> notices)
    {
        if (ReservationNoticeRaised is not { } raised)
        {
            return;
        }

        foreach (var notice in notices)
        {
            raised(new ReservationNoticeEvent(unit.Lun, notice.Registrant.InitiatorPortName, notice.Sense));
        }
    }
}
