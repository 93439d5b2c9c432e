using System.Buffers.Binary;
using Storlane.Protocol.Scsi;

namespace Storlane.Scsi.Tests;

/// <summary>
/// One logical unit served by two gateways (two target devices, each its own target port) over one
/// shared reservation state (<see cref="FakeCluster"/>, standing in for the RADOS object): SPC-4 5.12
/// holds across them, and the unit attentions a change raises reach initiators on the other gateway.
/// </summary>
public sealed class ReservationsAcrossGatewaysTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";

    private readonly FakeCluster _cluster = new();

    /// <summary>Initiator A on gateway 1 (target port 1), initiator B on gateway 2 (target port 2).</summary>
    private readonly ItNexus _a = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-a", portalGroup: 1);
    private readonly ItNexus _b = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-b", portalGroup: 2);

    private static byte[] Prout(byte serviceAction, byte type = 0) => [0x5F, serviceAction, type, 0, 0, 0, 0, 0, 24, 0];

    private static byte[] Prin(byte serviceAction) => [0x5E, serviceAction, 0, 0, 0, 0, 0, 0x10, 0x00, 0];

    private static byte[] Keys(ulong key, ulong serviceActionKey, byte flags = 0)
    {
        var list = new byte[24];
        BinaryPrimitives.WriteUInt64BigEndian(list, key);
        BinaryPrimitives.WriteUInt64BigEndian(list.AsSpan(8), serviceActionKey);
        list[20] = flags;
        return list;
    }

    private ScsiHarness Gateway(string name, FakeCluster.Gateway? connection = null) =>
        new(options: new LogicalUnitOptions { SharedState = connection ?? _cluster.Connect() }, gatewayName: name);

    private static async Task Register(ScsiHarness gateway, ItNexus nexus, ulong key) =>
        (await gateway.Run(Prout(0x06), dataOut: Keys(0, key), nexus: nexus)).AssertGood();

    public static TheoryData<byte> Types() => [0x01, 0x03, 0x05, 0x06, 0x07, 0x08];

    [Theory]
    [MemberData(nameof(Types))]
    public async Task ReservationThroughGateway1_ConflictsForUnregisteredInitiatorOnGateway2_AsTable62Says(byte type)
    {
        // SPC-4 5.12.1 / table 62 and SBC-3 4.17 table 13: a non-registrant through another I_T nexus
        // may not write under any type, and may not read under the Exclusive Access types; the nexus
        // being on another gateway changes nothing.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        await Register(one, _a, 0xA);
        (await one.Run(Prout(0x01, type), dataOut: Keys(0xA, 0), nexus: _a)).AssertGood();

        Assert.Equal(ScsiStatus.ReservationConflict, (await two.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: _b)).Result.Status);
        var read = await two.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _b);
        var exclusiveAccess = type is 0x03 or 0x06 or 0x08;
        Assert.Equal(exclusiveAccess ? ScsiStatus.ReservationConflict : ScsiStatus.Good, read.Result.Status);
        (await two.Run(TestUnitReady, nexus: _b)).AssertGood();
        (await one.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: _a)).AssertGood();

        // SPC-4 5.12.9: a RESERVE from another nexus while one is held is a RESERVATION CONFLICT,
        // except that under an all-registrants type every registered nexus is a holder (5.12.10), and
        // a holder's RESERVE of the same type is GOOD.
        await Register(two, _b, 0xB);
        var reserve = await two.Run(Prout(0x01, type), dataOut: Keys(0xB, 0), nexus: _b);
        Assert.Equal(type is 0x07 or 0x08 ? ScsiStatus.Good : ScsiStatus.ReservationConflict, reserve.Result.Status);

        // Registered now: the registrants-only and all-registrants types let B write (table 62).
        var write = await two.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: _b);
        Assert.Equal(type is 0x01 or 0x03 ? ScsiStatus.ReservationConflict : ScsiStatus.Good, write.Result.Status);
    }

    [Fact]
    public async Task PreemptThroughGateway2_RaisesRegistrationsPreemptedAtAOnGateway1()
    {
        // SPC-4 5.12.11.4.3: the preempted holder's I_T nexus gets REGISTRATIONS PREEMPTED (2Ah/05h);
        // A's nexus is on gateway 1, so gateway 1 raises it, before it answers A's next command.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        await Register(one, _a, 0xA);
        await Register(two, _b, 0xB);
        (await one.Run(Prout(0x01, 0x01), dataOut: Keys(0xA, 0), nexus: _a)).AssertGood();

        (await two.Run(Prout(0x04, 0x03), dataOut: Keys(0xB, 0xA), nexus: _b)).AssertGood();

        (await one.Run(TestUnitReady, nexus: _a)).AssertSense(SenseKey.UnitAttention, AdditionalSense.RegistrationsPreempted);
        Assert.Equal(ScsiStatus.ReservationConflict, (await one.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _a)).Result.Status);
        var reservation = await one.Run(Prin(0x01), dataIn: 4096, nexus: _a);
        Assert.Equal("000000000000000B", Hex.Of(reservation.Data.AsSpan(8, 8)));
        Assert.Equal(0x03, reservation.Data[21]);

        // Raised once: gateway 2 (which has no nexus of A) raised nothing, gateway 1 nothing more.
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        Assert.Empty(two.Target.PendingUnitAttentions(0, _b));
    }

    [Fact]
    public async Task ClearThroughGateway2_RaisesReservationsPreemptedAtAOnGateway1()
    {
        // SPC-4 5.12.11.6: CLEAR removes every registration; the others get RESERVATIONS PREEMPTED.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        await Register(one, _a, 0xA);
        await Register(two, _b, 0xB);
        (await two.Run(Prout(0x03), dataOut: Keys(0xB, 0), nexus: _b)).AssertGood();
        (await one.Run(TestUnitReady, nexus: _a)).AssertSense(SenseKey.UnitAttention, AdditionalSense.ReservationsPreempted);
    }

    [Fact]
    public async Task ReleaseOfRegistrantsOnlyThroughGateway2_RaisesReservationsReleasedAtAOnGateway1()
    {
        // SPC-4 5.12.11.2: releasing a registrants-only reservation: RESERVATIONS RELEASED (2Ah/04h)
        // for the other registrants.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        await Register(one, _a, 0xA);
        await Register(two, _b, 0xB);
        (await two.Run(Prout(0x01, 0x05), dataOut: Keys(0xB, 0), nexus: _b)).AssertGood();
        (await two.Run(Prout(0x02, 0x05), dataOut: Keys(0xB, 0), nexus: _b)).AssertGood();
        (await one.Run(TestUnitReady, nexus: _a)).AssertSense(SenseKey.UnitAttention, AdditionalSense.ReservationsReleased);
    }

    [Fact]
    public async Task PreemptAndAbortThroughGateway2_AbortsAsTasksOnGateway1()
    {
        // SPC-4 5.12.11.4.4: the preempted I_T nexuses' tasks are aborted; only gateway 1 has A's tasks.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        var aborted = new List<Func<ItNexus, bool>>();
        one.Target.AbortTasks = (_, select) => aborted.Add(select);
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        await Register(one, _a, 0xA);
        await Register(two, _b, 0xB);
        (await one.Run(Prout(0x01, 0x01), dataOut: Keys(0xA, 0), nexus: _a)).AssertGood();
        (await two.Run(Prout(0x05, 0x01), dataOut: Keys(0xB, 0xA), nexus: _b)).AssertGood();
        var select = Assert.Single(aborted);
        Assert.True(select(_a));
        Assert.False(select(_b));
    }

    [Fact]
    public async Task GatewayThatMissedTheNotification_RetriesItsChangeAgainstTheNewVersion()
    {
        // The compare-and-swap is the safety net: gateway 2 computed from a stale copy, its write is
        // refused, it reloads and computes again, and neither registration is lost.
        var one = Gateway("gw1");
        var deaf = _cluster.Connect();
        deaf.Deaf = true;
        var two = Gateway("gw2", deaf);
        await Register(one, _a, 0xA);
        await Register(two, _b, 0xB);
        var keys = await one.Run(Prin(0x00), dataIn: 4096, nexus: _a);
        Assert.Equal("00000002" + "00000010" + "000000000000000A" + "000000000000000B", Hex.Of(keys.Data));

        // PERSISTENT RESERVE IN reloads a shared state before it answers (the generation check).
        await Register(one, ScsiHarness.NewNexus("iqn.x:third"), 0xC);
        var seenByDeaf = await two.Run(Prin(0x00), dataIn: 4096, nexus: _b);
        Assert.Equal("00000003", Hex.Of(seenByDeaf.Data.AsSpan(0, 4)));
    }

    [Fact]
    public async Task RegistrationsAndReservation_SurviveAGatewayRestart_ApTplImplied()
    {
        // One object per LU outlives every gateway: a new target device (a restarted or replaced
        // gateway) sees the registrations and the reservation; REPORT CAPABILITIES says PTPL_C = 1 and
        // PTPL_A = 1 without APTPL having been set (SPC-4 6.15.4).
        var one = Gateway("gw1");
        await Register(one, _a, 0xA);
        (await one.Run(Prout(0x01, 0x03), dataOut: Keys(0xA, 0), nexus: _a)).AssertGood();

        var restarted = Gateway("gw1");
        var a = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-a", portalGroup: 1);
        (await restarted.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: a)).AssertGood();
        Assert.Equal(ScsiStatus.ReservationConflict, (await restarted.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _b)).Result.Status);
        var capabilities = (await restarted.Run(Prin(0x02), dataIn: 8, nexus: a)).Data;
        Assert.Equal(0x01, capabilities[2] & 0x01);
        Assert.Equal(0x01, capabilities[3] & 0x01);
    }

    [Fact]
    public async Task GatewayCutOffFromTheCluster_AnswersNotReadyTransition_ThenServesAgain()
    {
        // A gateway that cannot reach the shared state must not answer from a copy that may be stale.
        var connection = _cluster.Connect();
        var one = Gateway("gw1", connection);
        (await one.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _a)).AssertGood();

        connection.Reachable = false;
        (await one.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _a)).AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleAsymmetricAccessStateTransition);
        (await one.Run(Prout(0x06), dataOut: Keys(0, 0xA), nexus: _a)).AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleAsymmetricAccessStateTransition);
        (await one.Run("12 00 00 00 24 00", dataIn: 36, nexus: _a)).AssertGood();
        Assert.Equal(0, _cluster.Writes);

        // Meanwhile gateway 2 reserves; gateway 1 comes back and must see it before it serves A.
        var two = Gateway("gw2");
        await Register(two, _b, 0xB);
        (await two.Run(Prout(0x01, 0x03), dataOut: Keys(0xB, 0), nexus: _b)).AssertGood();
        connection.Reachable = true;
        await WaitUntil(() => one.Unit.Reservations.IsServable);
        Assert.Equal(ScsiStatus.ReservationConflict, (await one.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _a)).Result.Status);
    }

    [Fact]
    public async Task Reserve6ThroughGateway1_ConflictsThroughGateway2_UntilLunResetThere()
    {
        // SPC-2 7.21: the RESERVE(6) reservation belongs to A's nexus, whichever gateway B uses; a
        // logical unit reset (received on any gateway) releases it.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        (await one.Run("16 00 00 00 00 00", nexus: _a)).AssertGood();
        Assert.Equal(ScsiStatus.ReservationConflict, (await two.Run(TestUnitReady, nexus: _b)).Result.Status);
        Assert.Equal(ScsiStatus.ReservationConflict, (await two.Run("16 00 00 00 00 00", nexus: _b)).Result.Status);
        (await one.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: _a)).AssertGood();

        await two.Target.ResetLogicalUnit(0, _b);
        (await two.Run("16 00 00 00 00 00", nexus: _b)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await two.Run("16 00 00 00 00 00", nexus: _b)).AssertGood();

        // SAM-5 6.3.3: A's nexus on gateway 1 is a nexus of the reset unit too; then B's reservation holds.
        (await one.Run(TestUnitReady, nexus: _a)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        Assert.Equal(ScsiStatus.ReservationConflict, (await one.Run(TestUnitReady, nexus: _a)).Result.Status);
    }

    [Fact]
    public async Task Reserve6OfAGatewayThatRestarted_IsReleased_AsItsNexusIsGone()
    {
        // SPC-2 7.21: I_T nexus loss releases the reservation; a restarted gateway lost every nexus.
        var one = Gateway("gw1");
        (await one.Run("16 00 00 00 00 00", nexus: _a)).AssertGood();
        var restarted = Gateway("gw1");
        (await restarted.Run(TestUnitReady, nexus: _b)).AssertGood();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
