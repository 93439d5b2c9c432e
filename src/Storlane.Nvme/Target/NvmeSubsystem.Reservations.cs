using Storlane.Protocol.Scsi;
using Storlane.Scsi;

namespace Storlane.Nvme.Target;

/// <summary>
/// Reservation notices of the SCSI reservation state, as NVMe Reservation Notification log pages
/// (base 2.0, 8.19.6): REGISTRATIONS PREEMPTED is Registration Preempted (1h), RESERVATIONS RELEASED
/// Reservation Released (2h), RESERVATIONS PREEMPTED Reservation Preempted (3h), queued on every
/// controller of the host the notice names, for the namespace of the LU.
/// </summary>
internal sealed partial class NvmeSubsystem
{
    private void OnReservationNotice(ReservationNoticeEvent notice)
    {
        byte type = notice.Sense switch
        {
            AdditionalSense.RegistrationsPreempted => ReservationNotificationLog.RegistrationPreempted,
            AdditionalSense.ReservationsReleased => ReservationNotificationLog.ReservationReleased,
            AdditionalSense.ReservationsPreempted => ReservationNotificationLog.ReservationPreempted,
            _ => 0,
        };
        if (type == 0 || notice.Lun >= MaxNamespaces)
        {
            return;
        }

        var nsid = (uint)notice.Lun + 1;
        foreach (var controller in Controllers())
        {
            if (string.Equals(controller.Nexus.InitiatorPortName, notice.InitiatorPortName, StringComparison.Ordinal))
            {
                controller.QueueReservationNotification(type, nsid);
            }
        }
    }

    /// <summary>Stops listening to the SCSI device's reservation notices (the server is going away).</summary>
    public void Dispose()
    {
        if (Device is not null)
        {
            Device.ReservationNoticeRaised -= OnReservationNotice;
        }
    }
}
