using System.Buffers.Binary;
using Storlane.Nvme.Target;
using Storlane.Nvme.Tests.Support;
using Storlane.Protocol.Scsi;
using Storlane.Scsi;

namespace Storlane.Nvme.Tests.Target;

/// <summary>
/// NVMe reservations (base 2.0, 8.19) on the same reservation state the SCSI side keeps for the LU:
/// a reservation taken over NVMe/TCP conflicts with an iSCSI initiator's write, and back.
/// </summary>
public class ReservationTests
{
    private const ulong HostKey = 0xABCD;
    private const ulong ScsiKey = 0x5C51;
    private static readonly byte[] Write10 = [0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0];
    private static readonly byte[] Read10 = [0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0];

    private static async Task<(TestHost Admin, TestHost Io)> ConnectAsync(TargetFixture target, string hostNqn = TestHost.HostNqn)
    {
        var admin = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await admin.ConnectAsync(TargetFixture.Nqn, hostNqn: hostNqn)).Status.IsSuccess);
        var io = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await io.ConnectAsync(TargetFixture.Nqn, qid: 1, controllerId: admin.ControllerId, hostNqn: hostNqn, sqsize: 127)).Status.IsSuccess);
        return (admin, io);
    }

    private static Task<CompletionEntry> RegisterAsync(TestHost io, uint action, ulong current, ulong next)
    {
        var sqe = io.NewCommand(0x0D, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(40), action);
        var data = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(data, current);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(8), next);
        return io.ExecuteAsync(sqe, data);
    }

    private static Task<CompletionEntry> AcquireAsync(TestHost io, uint action, byte type, ulong current, ulong preempt = 0)
    {
        var sqe = io.NewCommand(0x11, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(40), action | ((uint)type << 8));
        var data = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(data, current);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(8), preempt);
        return io.ExecuteAsync(sqe, data);
    }

    private static Task<CompletionEntry> ReleaseAsync(TestHost io, uint action, byte type, ulong current)
    {
        var sqe = io.NewCommand(0x15, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(40), action | ((uint)type << 8));
        var data = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(data, current);
        return io.ExecuteAsync(sqe, data);
    }

    private static Task<CompletionEntry> WriteAsync(TestHost io) => io.ExecuteAsync(io.IoCommand(IoOpcode.Write, 1, 0, 1), new byte[512]);

    private static ItNexus ScsiNexus() => new("iqn.2026-11.io.storlane:initiator,i,0x400000000001", "iqn.2026-11.io.storlane:nvme-test,t,0x1", 1, 1);

    private static async Task<ScsiResult> ScsiAsync(ScsiTargetDevice device, ItNexus nexus, byte[] cdb, byte[]? dataOut = null)
    {
        var command = new ScsiCommand { Nexus = nexus, Lun = 0, Cdb = cdb, DataOut = dataOut ?? ReadOnlyMemory<byte>.Empty, DataIn = new byte[4096] };
        return await device.ExecuteAsync(command, CancellationToken.None);
    }

    /// <summary>PERSISTENT RESERVE OUT (SPC-4 6.16): service action, type, 24-byte parameter list.</summary>
    private static Task<ScsiResult> ProutAsync(ScsiTargetDevice device, ItNexus nexus, byte action, byte type, ulong key, ulong serviceActionKey)
    {
        byte[] cdb = [0x5F, action, type, 0, 0, 0, 0, 0, 24, 0];
        var data = new byte[24];
        BinaryPrimitives.WriteUInt64BigEndian(data, key);
        BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(8), serviceActionKey);
        return ScsiAsync(device, nexus, cdb, data);
    }

    [Fact]
    public async Task NvmeReservation_MakesAScsiWrite_ReservationConflict_ButNotAScsiRead()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var scsi = ScsiNexus();
        await ScsiAsync(target.Device, scsi, [0, 0, 0, 0, 0, 0]); // TEST UNIT READY: clears the power-on unit attention.
        Assert.Equal(ScsiStatus.Good, (await ScsiAsync(target.Device, scsi, Write10, new byte[512])).Status);

        Assert.True((await RegisterAsync(io, 0, 0, HostKey)).Status.IsSuccess);
        Assert.True((await AcquireAsync(io, 0, 1, HostKey)).Status.IsSuccess); // Write Exclusive

        Assert.Equal(ScsiStatus.ReservationConflict, (await ScsiAsync(target.Device, scsi, Write10, new byte[512])).Status);
        Assert.Equal(ScsiStatus.Good, (await ScsiAsync(target.Device, scsi, Read10)).Status);
        Assert.True((await WriteAsync(io)).Status.IsSuccess);

        // Released over NVMe: the SCSI write goes through again.
        Assert.True((await ReleaseAsync(io, 0, 1, HostKey)).Status.IsSuccess);
        Assert.Equal(ScsiStatus.Good, (await ScsiAsync(target.Device, scsi, Write10, new byte[512])).Status);
    }

    [Fact]
    public async Task ScsiReservation_MakesAnNvmeWrite_ReservationConflict_UntilTheHostPreemptsIt()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var scsi = ScsiNexus();
        await ScsiAsync(target.Device, scsi, [0, 0, 0, 0, 0, 0]);
        Assert.Equal(ScsiStatus.Good, (await ProutAsync(target.Device, scsi, 0x00, 0, 0, ScsiKey)).Status);
        Assert.Equal(ScsiStatus.Good, (await ProutAsync(target.Device, scsi, 0x01, 0x03, ScsiKey, 0)).Status); // Exclusive Access

        var conflict = await WriteAsync(io);
        Assert.Equal(NvmeStatus.ReservationConflict, conflict.Status);
        Assert.Equal(NvmeStatus.ReservationConflict, (await io.ExecuteAsync(io.IoCommand(IoOpcode.Read, 1, 0, 1), expectDataLength: 512)).Status);

        // The NVMe host registers and preempts the SCSI registrant (Exclusive Access, type 2h).
        Assert.True((await RegisterAsync(io, 0, 0, HostKey)).Status.IsSuccess);
        Assert.True((await AcquireAsync(io, 1, 2, HostKey, preempt: ScsiKey)).Status.IsSuccess);
        Assert.True((await WriteAsync(io)).Status.IsSuccess);
        await ScsiAsync(target.Device, scsi, [0, 0, 0, 0, 0, 0]); // REGISTRATIONS PREEMPTED, reported once.
        Assert.Equal(ScsiStatus.ReservationConflict, (await ScsiAsync(target.Device, scsi, Read10)).Status);
    }

    [Fact]
    public async Task ReservationReport_ListsTheNvmeAndScsiRegistrants_AndTheHolder()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var scsi = ScsiNexus();
        await ScsiAsync(target.Device, scsi, [0, 0, 0, 0, 0, 0]);
        Assert.Equal(ScsiStatus.Good, (await ProutAsync(target.Device, scsi, 0x00, 0, 0, ScsiKey)).Status);
        Assert.True((await RegisterAsync(io, 0, 0, HostKey)).Status.IsSuccess);
        Assert.True((await AcquireAsync(io, 0, 3, HostKey)).Status.IsSuccess); // Write Exclusive - Registrants Only

        var sqe = io.NewCommand(0x0E, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(40), (4096 / 4) - 1);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(44), 1); // EDS: 128-bit host identifiers
        var (completion, report) = await io.ExecuteWithDataAsync(sqe, expectDataLength: 4096);

        Assert.True(completion.Status.IsSuccess, completion.Status.ToString());
        Assert.Equal(3, report[4]); // RTYPE
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(report.AsSpan(5))); // REGCTL
        var keys = new Dictionary<ulong, byte>();
        for (var i = 0; i < 2; i++)
        {
            var entry = report.AsSpan(64 + (64 * i), 64);
            Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16LittleEndian(entry));
            keys[BinaryPrimitives.ReadUInt64LittleEndian(entry[8..])] = entry[2];
        }

        Assert.Equal(1, keys[HostKey]);
        Assert.Equal(0, keys[ScsiKey]);

        // Without EDS a fabrics host (128-bit host identifiers) gets Host Identifier Inconsistent Format.
        var narrow = io.NewCommand(0x0E, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(narrow.AsSpan(40), (4096 / 4) - 1);
        Assert.Equal(0x18, (await io.ExecuteAsync(narrow, expectDataLength: 4096)).Status.Code);
    }

    [Fact]
    public async Task Register_WithTheWrongKey_IsAConflict_AndAnotherHostsWriteConflicts()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        var (otherAdmin, otherIo) = await ConnectAsync(target, "nqn.2014-08.org.storlane:other-host");
        await using var _ = admin;
        await using var __ = io;
        await using var ___ = otherAdmin;
        await using var ____ = otherIo;
        Assert.True((await RegisterAsync(io, 0, 0, HostKey)).Status.IsSuccess);
        Assert.Equal(NvmeStatus.ReservationConflict, (await RegisterAsync(io, 2, HostKey + 1, 7)).Status); // Replace with a wrong CRKEY
        Assert.True((await AcquireAsync(io, 0, 1, HostKey)).Status.IsSuccess);
        Assert.Equal(NvmeStatus.ReservationConflict, (await WriteAsync(otherIo)).Status);
        Assert.True((await otherIo.ExecuteAsync(otherIo.IoCommand(IoOpcode.Read, 1, 0, 1), expectDataLength: 512)).Status.IsSuccess);
        Assert.Equal(NvmeStatus.InvalidField, (await AcquireAsync(io, 0, 9, HostKey)).Status);
    }

    [Fact]
    public async Task IdentifyNamespace_ReportsReservationCapabilities_AndOncsTheReservationsBit()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var admin = await TestHost.OpenAsync(target.IoEndpoint);
        await admin.ConnectAsync(TargetFixture.Nqn);
        var ns = await admin.IdentifyAsync(0, 1);
        Assert.Equal(0b0111_1110, ns[31] & 0b0111_1110); // RESCAP: the six types
        var controller = await admin.IdentifyAsync(1);
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16LittleEndian(controller.AsSpan(520)) & (1 << 5));
    }
}
