namespace Storlane.Nvme.Target;

/// <summary>
/// The controller's queue of Reservation Notification log pages (base 2.0, 8.19.6), bounded by
/// <see cref="NvmeLimits.MaxReservationNotifications"/>, and its asynchronous event: type 6h (I/O
/// command specific status), information 00h (Reservation Log Page Available), log page 80h. Once
/// reported, the event is masked until the host reads the page without RAE (5.2.1).
/// </summary>
internal sealed partial class NvmeController
{
    private readonly Queue<(ulong Count, byte Type, uint Nsid)> _reservationNotifications = new();
    private ulong _reservationLogCount;
    private bool _reservationEventReported;

    private const uint ReservationLogAvailable = 0x6u | (0x00u << 8) | ((uint)LogPageId.ReservationNotification << 16);

    /// <summary>Queues one notification; when the queue is full it is dropped, but counted, so the host sees the gap in LPC.</summary>
    public void QueueReservationNotification(byte type, uint nsid)
    {
        lock (_lock)
        {
            // LPC: "If the value of this field is FFFFFFFFFFFFFFFFh, then the field shall be set to 1 on the next notification" (never 0).
            _reservationLogCount = _reservationLogCount == ulong.MaxValue ? 1 : _reservationLogCount + 1;
            if (_reservationNotifications.Count < Limits.MaxReservationNotifications)
            {
                _reservationNotifications.Enqueue((_reservationLogCount, type, nsid));
            }
        }

        NvmeLog.ReservationNotification(_logger, Id, type, nsid);
        ReportReservationNotice();
    }

    /// <summary>Completes a held AER when a notification waits and the event is not masked.</summary>
    public void ReportReservationNotice()
    {
        (NvmeTcpQueue Queue, ushort CommandId) held;
        lock (_lock)
        {
            if (_reservationEventReported || _reservationNotifications.Count == 0 || !_asyncEvents.TryDequeue(out held))
            {
                return;
            }

            _reservationEventReported = true;
        }

        held.Queue.CompleteHeld(held.CommandId, ReservationLogAvailable);
    }

    /// <summary>The oldest notification as a log page (the empty page when none); read without RAE, it clears the event.</summary>
    public byte[] TakeReservationNotification(bool retainEvent)
    {
        var page = new byte[ReservationNotificationLog.Length];
        lock (_lock)
        {
            if (_reservationNotifications.TryDequeue(out var next))
            {
                ReservationNotificationLog.Write(page, next.Count, next.Type, _reservationNotifications.Count, next.Nsid);
            }

            if (!retainEvent)
            {
                _reservationEventReported = false;
            }
        }

        if (!retainEvent)
        {
            // More pages queued: say so again through the next AER.
            ReportReservationNotice();
        }

        return page;
    }
}
