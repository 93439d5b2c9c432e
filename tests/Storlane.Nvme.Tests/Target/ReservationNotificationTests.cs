using System.Buffers.Binary;
using Storlane.Nvme.Tests.Support;

namespace Storlane.Nvme.Tests.Target;

/// <summary>
/// Reservation notifications (NVMe base 2.0, 8.19.6; log page 80h, 5.16.1.23): a host whose
/// registration was preempted, whose reservation was released or preempted by another host, finds a
/// Reservation Notification log page (LPC 0..7, type 8, available pages 9, NSID 12..15) queued on
/// its controller and an AER completed with type 6h, information 00h, log page 80h.
/// </summary>
public class ReservationNotificationTests
{
    private const string OtherHost = "nqn.2014-08.org.storlane:other-host";

    private static async Task<(TestHost Admin, TestHost Io)> ConnectAsync(TargetFixture target, string hostNqn)
    {
        var admin = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await admin.ConnectAsync(TargetFixture.Nqn, hostNqn: hostNqn)).Status.IsSuccess);
        var io = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await io.ConnectAsync(TargetFixture.Nqn, qid: 1, controllerId: admin.ControllerId, hostNqn: hostNqn, sqsize: 31)).Status.IsSuccess);
        return (admin, io);
    }

    private static async Task Succeeds(Task<CompletionEntry> command) => Assert.True((await command).Status.IsSuccess);

    private static Task<CompletionEntry> Reservation(TestHost io, byte opcode, uint cdw10, ulong first, ulong second = 0, int length = 16)
    {
        var sqe = io.NewCommand(opcode, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(40), cdw10);
        var data = new byte[length];
        BinaryPrimitives.WriteUInt64LittleEndian(data, first);
        if (length >= 16)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(8), second);
        }

        return io.ExecuteAsync(sqe, data);
    }

    private static Task<CompletionEntry> Register(TestHost io, ulong key) => Reservation(io, 0x0D, 0, 0, key);

    private static Task<CompletionEntry> Acquire(TestHost io, byte type, ulong key) => Reservation(io, 0x11, (uint)type << 8, key);

    private static Task<CompletionEntry> Preempt(TestHost io, byte type, ulong key, ulong victim) => Reservation(io, 0x11, 1 | ((uint)type << 8), key, victim);

    private static Task<CompletionEntry> Release(TestHost io, byte type, ulong key) => Reservation(io, 0x15, (uint)type << 8, key, length: 8);

    private static Task<CompletionEntry> Clear(TestHost io, ulong key) => Reservation(io, 0x15, 1, key, length: 8);

    private static async Task<(ulong Count, byte Type, byte Available, uint Nsid)> ReadNotificationAsync(TestHost admin)
    {
        var (completion, page) = await admin.GetLogPageAsync(0x80, 64);
        Assert.True(completion.Status.IsSuccess, completion.Status.ToString());
        return (BinaryPrimitives.ReadUInt64LittleEndian(page), page[8], page[9], BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(12)));
    }

    [Fact]
    public async Task RegistrationPreempted_CompletesTheVictimsAer_AndQueuesItsLogPage_ReadOnce()
    {
        await using var target = await TargetFixture.StartAsync();
        var (victimAdmin, victim) = await ConnectAsync(target, TestHost.HostNqn);
        var (otherAdmin, other) = await ConnectAsync(target, OtherHost);
        await using var _ = victimAdmin;
        await using var __ = victim;
        await using var ___ = otherAdmin;
        await using var ____ = other;
        await Succeeds(Register(victim, 1));
        await Succeeds(Acquire(victim, 1, 1));
        await Succeeds(Register(other, 2));
        await victimAdmin.SendCapsuleAsync(victimAdmin.NewCommand(0x0C), null);

        await Succeeds(Preempt(other, 1, 2, 1));
        var aen = CompletionEntry.Read((await victimAdmin.ReadPduAsync()).AsSpan(8));
        Assert.Equal(0x6u, aen.Dword0 & 0x7); // I/O command specific status
        Assert.Equal(0x00u, (aen.Dword0 >> 8) & 0xFF); // Reservation Log Page Available
        Assert.Equal(0x80u, (aen.Dword0 >> 16) & 0xFF);

        var (count, type, available, nsid) = await ReadNotificationAsync(victimAdmin);
        Assert.Equal(1UL, count);
        Assert.Equal(1, type); // Registration Preempted
        Assert.Equal(0, available);
        Assert.Equal(1u, nsid);

        // Read, it is gone: the next read is the empty page; the preempting host was told nothing.
        Assert.Equal(0, (await ReadNotificationAsync(victimAdmin)).Type);
        Assert.Equal(0, (await ReadNotificationAsync(otherAdmin)).Type);
    }

    [Fact]
    public async Task ReservationReleased_AndPreempted_ReachTheOtherRegistrants_InOrder()
    {
        await using var target = await TargetFixture.StartAsync();
        var (holderAdmin, holder) = await ConnectAsync(target, TestHost.HostNqn);
        var (otherAdmin, other) = await ConnectAsync(target, OtherHost);
        await using var _ = holderAdmin;
        await using var __ = holder;
        await using var ___ = otherAdmin;
        await using var ____ = other;
        await Succeeds(Register(holder, 1));
        await Succeeds(Register(other, 2));

        // Write Exclusive - Registrants Only released: the other registrants are told (SPC-4 5.12.11.2).
        await Succeeds(Acquire(holder, 3, 1));
        await Succeeds(Release(holder, 3, 1));

        // Clear by the other host: every other registrant's reservation is preempted.
        await Succeeds(Clear(other, 2));

        var released = await ReadNotificationAsync(otherAdmin);
        Assert.Equal(2, released.Type);
        Assert.Equal(1u, released.Nsid);
        var preempted = await ReadNotificationAsync(holderAdmin);
        Assert.Equal(3, preempted.Type);
        Assert.Equal(1u, preempted.Nsid);
        Assert.True(preempted.Count >= 1);
    }

    [Fact]
    public async Task Notifications_AreBoundedPerController_AndTheCountShowsWhatWasLost()
    {
        await using var target = await TargetFixture.StartAsync(new Storlane.Nvme.Target.NvmeLimits { MaxReservationNotifications = 2 });
        var (holderAdmin, holder) = await ConnectAsync(target, TestHost.HostNqn);
        var (otherAdmin, other) = await ConnectAsync(target, OtherHost);
        await using var _ = holderAdmin;
        await using var __ = holder;
        await using var ___ = otherAdmin;
        await using var ____ = other;
        for (ulong round = 1; round <= 5; round++)
        {
            await Succeeds(Register(holder, round));
            await Succeeds(Register(other, 100 + round));
            await Succeeds(Clear(other, 100 + round));
            if (round < 4)
            {
                continue;
            }

            if (round == 4)
            {
                // Two kept, two dropped: what is queued is the first two.
                var first = await ReadNotificationAsync(holderAdmin);
                Assert.Equal((1UL, (byte)3, (byte)1), (first.Count, first.Type, first.Available));
                var second = await ReadNotificationAsync(holderAdmin);
                Assert.Equal((2UL, (byte)3, (byte)0), (second.Count, second.Type, second.Available));
                Assert.Equal(0, (await ReadNotificationAsync(holderAdmin)).Type);
            }
            else
            {
                // The next one counts the lost ones too (LPC 5, not 3): the host sees the gap.
                Assert.Equal(5UL, (await ReadNotificationAsync(holderAdmin)).Count);
            }
        }
    }
}
