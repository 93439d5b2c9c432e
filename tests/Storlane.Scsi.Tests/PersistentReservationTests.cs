using System.Buffers.Binary;
using Storlane.Protocol.Scsi;

namespace Storlane.Scsi.Tests;

public sealed class PersistentReservationTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";

    private static readonly ItNexus Other = ScsiHarness.NewNexus("iqn.1991-05.com.microsoft:host-b");

    /// <summary>PERSISTENT RESERVE OUT: service action, SCOPE/TYPE, PARAMETER LIST LENGTH 24.</summary>
    private static byte[] Prout(byte serviceAction, byte type = 0) => [0x5F, serviceAction, type, 0, 0, 0, 0, 0, 24, 0];

    /// <summary>The 24-byte basic parameter list: RESERVATION KEY, SERVICE ACTION RESERVATION KEY, flags in byte 20.</summary>
    private static byte[] Keys(ulong key, ulong serviceActionKey, byte flags = 0)
    {
        var list = new byte[24];
        BinaryPrimitives.WriteUInt64BigEndian(list, key);
        BinaryPrimitives.WriteUInt64BigEndian(list.AsSpan(8), serviceActionKey);
        list[20] = flags;
        return list;
    }

    private static byte[] Prin(byte serviceAction) => [0x5E, serviceAction, 0, 0, 0, 0, 0, 0x10, 0x00, 0];

    private static async Task Register(ScsiHarness harness, ulong key, ItNexus? nexus = null, byte flags = 0) =>
        (await harness.Run(Prout(0x06), dataOut: Keys(0, key, flags), nexus: nexus)).AssertGood();

    [Fact]
    public async Task ReadKeys_AfterTwoRegistrations_ListsBothKeysAndGeneration()
    {
        // SPC-4 6.15.2: PRGENERATION (incremented by each REGISTER), ADDITIONAL LENGTH, the keys.
        var harness = new ScsiHarness();
        await Register(harness, 0x1111);
        await Register(harness, 0x2222, Other);
        var reply = await harness.Run(Prin(0x00), dataIn: 4096);
        reply.AssertGood();
        Assert.Equal("00000002" + "00000010" + "0000000000001111" + "0000000000002222", Hex.Of(reply.Data));
    }

    [Fact]
    public async Task Register_WithWrongReservationKey_IsReservationConflict()
    {
        // SPC-4 5.12.7: REGISTER from a registered I_T nexus whose RESERVATION KEY does not match.
        var harness = new ScsiHarness();
        await Register(harness, 0x1111);
        var reply = await harness.Run(Prout(0x00), dataOut: Keys(0x9999, 0x2222));
        Assert.Equal(ScsiStatus.ReservationConflict, reply.Result.Status);
        Assert.Equal(0, reply.Result.SenseLength);
    }

    [Fact]
    public async Task WriteExclusive_OtherNexusReadsButWriteConflicts()
    {
        // SBC-3 4.17 table 13, Write Exclusive: READ allowed, WRITE conflicts for a non-holder.
        var harness = new ScsiHarness();
        await Register(harness, 0x1111);
        (await harness.Run(Prout(0x01, 0x01), dataOut: Keys(0x1111, 0))).AssertGood();
        (await harness.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: Other)).AssertGood();
        Assert.Equal(ScsiStatus.ReservationConflict, (await harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: Other)).Result.Status);
        (await harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512])).AssertGood();
    }

    [Fact]
    public async Task ExclusiveAccessRegistrantsOnly_RegisteredNexusMayWrite_UnregisteredMayNotRead()
    {
        var harness = new ScsiHarness();
        var third = ScsiHarness.NewNexus("iqn.x:third");
        await Register(harness, 0x1111);
        await Register(harness, 0x2222, Other);
        (await harness.Run(Prout(0x01, 0x06), dataOut: Keys(0x1111, 0))).AssertGood();
        (await harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: Other)).AssertGood();
        Assert.Equal(ScsiStatus.ReservationConflict, (await harness.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: third)).Result.Status);

        // TEST UNIT READY and INQUIRY pass any persistent reservation (SPC-4 table 62).
        (await harness.Run(TestUnitReady, nexus: third)).AssertGood();
    }

    [Fact]
    public async Task ReadReservation_AllRegistrantsType_ReportsKeyZero()
    {
        // SPC-4 6.15.3: "If the persistent reservation is an all registrants type, the RESERVATION KEY
        // field shall be set to zero"; SCOPE 0h, TYPE 7h in byte 21.
        var harness = new ScsiHarness();
        await Register(harness, 0x1111);
        (await harness.Run(Prout(0x01, 0x07), dataOut: Keys(0x1111, 0))).AssertGood();
        var reply = await harness.Run(Prin(0x01), dataIn: 4096);
        Assert.Equal("00000001" + "00000010" + "0000000000000000" + "00000000" + "0007" + "0000", Hex.Of(reply.Data));
    }

    [Fact]
    public async Task ReportCapabilities_GoldenBytes()
    {
        // SPC-4 6.15.4: LENGTH 8, CRH | ATP_C (PTPL_C = 0: no persistence path), TMV, all six types.
        var harness = new ScsiHarness();
        var reply = await harness.Run(Prin(0x02), dataIn: 4096);
        Assert.Equal("00081480EA010000", Hex.Of(reply.Data));
    }

    [Fact]
    public async Task Release_WithOtherType_IsInvalidReleaseOfPersistentReservation()
    {
        // SPC-4 5.12.11.2: the holder releasing with a different TYPE: ILLEGAL REQUEST, 26h/04h.
        var harness = new ScsiHarness();
        await Register(harness, 0x1111);
        (await harness.Run(Prout(0x01, 0x01), dataOut: Keys(0x1111, 0))).AssertGood();
        (await harness.Run(Prout(0x02, 0x03), dataOut: Keys(0x1111, 0))).AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidReleaseOfPersistentReservation);
    }

    [Fact]
    public async Task Preempt_TakesTheReservation_AndPreemptedNexusGetsUnitAttention()
    {
        // SPC-4 5.12.11.4.3: preempting the holder's key removes it and gives the issuer the
        // reservation; the preempted I_T nexus gets REGISTRATIONS PREEMPTED (2Ah/05h).
        var harness = new ScsiHarness();
        (await harness.Run(TestUnitReady, nexus: Other)).AssertGood();
        await Register(harness, 0x1111);
        await Register(harness, 0x2222, Other);
        (await harness.Run(Prout(0x01, 0x03), dataOut: Keys(0x2222, 0), nexus: Other)).AssertGood();
        (await harness.Run(Prout(0x04, 0x01), dataOut: Keys(0x1111, 0x2222))).AssertGood();
        (await harness.Run(TestUnitReady, nexus: Other)).AssertSense(SenseKey.UnitAttention, AdditionalSense.RegistrationsPreempted);
        var reservation = await harness.Run(Prin(0x01), dataIn: 4096);
        Assert.Equal("0000000000001111", Hex.Of(reservation.Data.AsSpan(8, 8)));
        Assert.Equal(0x01, reservation.Data[21]);
    }

    [Fact]
    public async Task PreemptAndAbort_AbortsTasksOfPreemptedNexusesOnThatLun_NotTheIssuers()
    {
        // SPC-4 5.12.11.4.4: "all tasks ... from the I_T nexuses associated with the persistent
        // reservations or registrations being preempted ... except the task containing the PERSISTENT
        // RESERVE OUT command itself shall be aborted". The transport aborts; the SCSI layer says which.
        var harness = new ScsiHarness();
        var third = ScsiHarness.NewNexus("iqn.x:third");
        var otherOnPortal2 = ScsiHarness.NewNexus("iqn.1991-05.com.microsoft:host-b", portalGroup: 2);
        var calls = new List<(ulong Lun, Func<ItNexus, bool> Select)>();
        harness.Target.AbortTasks = (lun, select) => calls.Add((lun, select));
        await Register(harness, 0x1111);
        await Register(harness, 0x2222, Other);
        await Register(harness, 0x3333, third);
        (await harness.Run(Prout(0x01, 0x01), dataOut: Keys(0x2222, 0), nexus: Other)).AssertGood();

        // PREEMPT AND ABORT (05h), TYPE Write Exclusive, SERVICE ACTION RESERVATION KEY 2222h.
        var reply = await harness.Run("5F 05 01 00 00 00 00 00 18 00", dataOut: Keys(0x1111, 0x2222));
        reply.AssertGood();

        var call = Assert.Single(calls);
        Assert.Equal(0UL, call.Lun);
        Assert.True(call.Select(Other));
        Assert.True(call.Select(ScsiHarness.NewNexus("iqn.1991-05.com.microsoft:host-b")));
        Assert.False(call.Select(otherOnPortal2));
        Assert.False(call.Select(third));
        Assert.False(call.Select(harness.Nexus));
    }

    [Fact]
    public async Task Preempt_WithoutAbort_AbortsNothing()
    {
        var harness = new ScsiHarness();
        var calls = 0;
        harness.Target.AbortTasks = (_, _) => calls++;
        await Register(harness, 0x1111);
        await Register(harness, 0x2222, Other);
        (await harness.Run(Prout(0x04, 0x01), dataOut: Keys(0x1111, 0x2222))).AssertGood();

        // A PREEMPT AND ABORT that preempts nothing (RESERVATION CONFLICT) aborts nothing either.
        Assert.Equal(ScsiStatus.ReservationConflict, (await harness.Run(Prout(0x05, 0x01), dataOut: Keys(0x1111, 0x2222))).Result.Status);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task LunReset_KeepsPersistentReservation()
    {
        // SAM-5 / SPC-4 5.12.1: persistent reservations survive a logical unit reset (the cluster fence).
        var harness = new ScsiHarness();
        await Register(harness, 0x1111);
        (await harness.Run(Prout(0x01, 0x01), dataOut: Keys(0x1111, 0))).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        (await harness.Run(TestUnitReady, nexus: Other)).AssertGood();
        Assert.Equal(ScsiStatus.ReservationConflict, (await harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: Other)).Result.Status);
    }

    [Fact]
    public async Task Aptpl_StateSurvivesANewTargetDevice()
    {
        // SPC-4 5.12.5: APTPL = 1 keeps registrations and the reservation across power loss; here a
        // second ScsiTargetDevice reading the same file stands for a restart of `storlane serve`.
        var path = Path.Combine(Path.GetTempPath(), $"storlane-pr-{Guid.NewGuid():N}.pr");
        try
        {
            var options = new LogicalUnitOptions { ReservationStatePath = path };
            var first = new ScsiHarness(options: options);
            await Register(first, 0x1111, flags: 0x01);
            (await first.Run(Prout(0x01, 0x03), dataOut: Keys(0x1111, 0))).AssertGood();

            var second = new ScsiHarness(options: options);
            var reservation = await second.Run(Prin(0x01), dataIn: 4096);
            Assert.Equal("00000001" + "00000010" + "0000000000001111" + "00000000" + "0003" + "0000", Hex.Of(reservation.Data));
            Assert.Equal(ScsiStatus.ReservationConflict, (await second.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: Other)).Result.Status);
            Assert.Equal(0x01, (await second.Run(Prin(0x02), dataIn: 8)).Data[3] & 0x01); // PTPL_A
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Aptpl_File_DoesNotKeepSwpAcrossARestart()
    {
        // SWP lives beside the reservations (one book per LU), but it is not savable (PS = 0): a restart
        // of `storlane serve` is a power on, after which the Control page holds its default, SWP = 0,
        // while the APTPL registration stays (SPC-4 5.12.5).
        var path = Path.Combine(Path.GetTempPath(), $"storlane-pr-{Guid.NewGuid():N}.pr");
        try
        {
            var options = new LogicalUnitOptions { ReservationStatePath = path };
            var first = new ScsiHarness(options: options);
            await Register(first, 0x1111, flags: 0x01);
            byte[] list = [0, 0, 0, 0, 0x0A, 0x0A, 0x02, 0x10, 0x08, 0x00, 0, 0, 0, 0, 0, 0];
            (await first.Run([0x15, 0x10, 0, 0, (byte)list.Length, 0], dataOut: list)).AssertGood();
            Assert.True(first.Unit.SoftwareWriteProtect);

            var second = new ScsiHarness(options: options);
            Assert.False(second.Unit.SoftwareWriteProtect);
            (await second.Run(Cdb.Write10(0, 1), dataOut: new byte[512])).AssertGood();
            Assert.Equal("00000008", Hex.Of((await second.Run(Prin(0x00), dataIn: 4096)).Data.AsSpan(4, 4)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Aptpl_WithoutPersistencePath_IsInvalidFieldInParameterList()
    {
        // SPC-4 6.16.3: APTPL = 1 when PTPL_C = 0: INVALID FIELD IN PARAMETER LIST.
        var harness = new ScsiHarness();
        (await harness.Run(Prout(0x06), dataOut: Keys(0, 0x1111, 0x01))).AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
    }

    [Fact]
    public async Task Prout_ParameterListLengthNot24_IsParameterListLengthError()
    {
        var harness = new ScsiHarness();
        (await harness.Run([0x5F, 0x06, 0, 0, 0, 0, 0, 0, 20, 0], dataOut: new byte[20])).AssertSense(SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);
    }

    [Fact]
    public async Task Prin_UnknownServiceAction_IsInvalidFieldInCdb()
    {
        var harness = new ScsiHarness();
        (await harness.Run(Prin(0x04), dataIn: 16)).AssertInvalidFieldInCdb(1, 4);
    }

    [Fact]
    public async Task Reserve6_OtherNexusConflicts_UntilLunReset()
    {
        // SPC-2 7.21: RESERVE(6) by one nexus; another gets RESERVATION CONFLICT for everything but
        // INQUIRY and friends; RELEASE from it is GOOD and a no-op; a LUN reset releases it.
        var harness = new ScsiHarness();
        (await harness.Run("16 00 00 00 00 00")).AssertGood();
        (await harness.Run("16 00 00 00 00 00")).AssertGood();
        Assert.Equal(ScsiStatus.ReservationConflict, (await harness.Run("16 00 00 00 00 00", nexus: Other)).Result.Status);
        (await harness.Run("17 00 00 00 00 00", nexus: Other)).AssertGood();
        Assert.Equal(ScsiStatus.ReservationConflict, (await harness.Run(TestUnitReady, nexus: Other)).Result.Status);
        (await harness.Run("12 00 00 00 24 00", dataIn: 36, nexus: Other)).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        (await harness.Run("16 00 00 00 00 00", nexus: Other)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await harness.Run("16 00 00 00 00 00", nexus: Other)).AssertGood();
    }

    [Fact]
    public async Task Reserve6_WhileRegistered_IsReservationConflict()
    {
        // SPC-4 5.12.3 (CRH = 1): RESERVE and RELEASE conflict while persistent reservations are in use.
        var harness = new ScsiHarness();
        await Register(harness, 0x1111);
        Assert.Equal(ScsiStatus.ReservationConflict, (await harness.Run("16 00 00 00 00 00")).Result.Status);
    }
}
