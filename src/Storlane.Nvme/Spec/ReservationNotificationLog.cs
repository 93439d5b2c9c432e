using System.Buffers.Binary;

namespace Storlane.Nvme;

/// <summary>
/// Reservation Notification log page, 80h (NVMe base 2.0, 5.16.1.23, figure 264): 64 bytes, one
/// notification per read.
/// <code>
///  bytes 0..7   Log Page Count (LPC): counts every notification made, so a gap shows lost ones; 0 when empty
///  byte  8      type: 0 empty, 1 Registration Preempted, 2 Reservation Released, 3 Reservation Preempted
///  byte  9      Number of Available Log Pages still queued after this one (at most FFh)
///  bytes 12..15 NSID
/// </code>
/// </summary>
public static class ReservationNotificationLog
{
    public const int Length = 64;
    public const byte Empty = 0;
    public const byte RegistrationPreempted = 1;
    public const byte ReservationReleased = 2;
    public const byte ReservationPreempted = 3;

    public static void Write(Span<byte> page, ulong count, byte type, int available, uint nsid)
    {
        page = page[..Length];
        page.Clear();
        if (type == Empty)
        {
            return;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(page, count);
        page[8] = type;
        page[9] = (byte)Math.Min(available, byte.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(page[12..], nsid);
    }
}
