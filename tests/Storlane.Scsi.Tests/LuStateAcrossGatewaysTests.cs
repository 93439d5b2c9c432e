using Storlane.Protocol.Scsi;

namespace Storlane.Scsi.Tests;

/// <summary>
/// State that SPC-4 and SAM-5 make per logical unit, not per I_T nexus, held across two gateways over one
/// shared state (<see cref="FakeCluster"/>, standing in for the RADOS object): the Control mode page's
/// SWP (shared by every I_T nexus, TST 000b) and what a logical unit reset does to every I_T nexus.
/// </summary>
public sealed class LuStateAcrossGatewaysTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";

    /// <summary>MODE SELECT(6), PF = 1: header and the Control page with SWP as given.</summary>
    private static readonly byte[] ModeSelect6 = [0x15, 0x10, 0, 0, 16, 0];

    private readonly FakeCluster _cluster = new();

    /// <summary>Initiator A on gateway 1 (target port 1), initiator B on gateway 2 (target port 2).</summary>
    private readonly ItNexus _a = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-a", portalGroup: 1);
    private readonly ItNexus _b = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-b", portalGroup: 2);

    private static byte[] ControlPage(bool softwareWriteProtect) =>
        [0, 0, 0, 0, 0x0A, 0x0A, 0x02, 0x10, (byte)(softwareWriteProtect ? 0x08 : 0x00), 0, 0, 0, 0, 0, 0, 0];

    private ScsiHarness Gateway(string name, bool removable = false) =>
        new(options: new LogicalUnitOptions { SharedState = _cluster.Connect(), Removable = removable }, gatewayName: name);

    [Fact]
    public async Task SwpSetThroughGateway2_WriteProtectsGateway1_AndRaisesModeParametersChangedThere()
    {
        // SPC-4 7.5.8: SWP = 1 "specifies that the logical unit shall inhibit writes to the medium":
        // the logical unit, whichever gateway an initiator reaches it through. SPC-4 7.5.1: the change
        // raises MODE PARAMETERS CHANGED for "every I_T nexus except the I_T nexus on which the MODE
        // SELECT command was received", those of the other gateway included.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        var otherOnTwo = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-c", portalGroup: 2);
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        (await two.Run(TestUnitReady, nexus: otherOnTwo)).AssertGood();

        (await two.Run(ModeSelect6, dataOut: ControlPage(true), nexus: _b)).AssertGood();

        (await one.Run(TestUnitReady, nexus: _a)).AssertSense(SenseKey.UnitAttention, AdditionalSense.ModeParametersChanged);
        (await one.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: _a)).AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
        var sense = await one.Run("1A 08 0A 00 FF 00", dataIn: 255, nexus: _a);
        Assert.Equal(0x80, sense.Data[2] & 0x80);
        Assert.Equal(0x08, sense.Data[4 + 4] & 0x08);
        (await two.Run(TestUnitReady, nexus: otherOnTwo)).AssertSense(SenseKey.UnitAttention, AdditionalSense.ModeParametersChanged);
        Assert.Empty(two.Target.PendingUnitAttentions(0, _b));

        // Cleared through gateway 1 this time: gateway 2 writes again, and its nexuses hear of it.
        (await one.Run(ModeSelect6, dataOut: ControlPage(false), nexus: _a)).AssertGood();
        (await two.Run(TestUnitReady, nexus: _b)).AssertSense(SenseKey.UnitAttention, AdditionalSense.ModeParametersChanged);
        (await two.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: _b)).AssertGood();
        Assert.Empty(one.Target.PendingUnitAttentions(0, _a));
    }

    [Fact]
    public async Task Swp_IsReadFromTheCachedState_NotFromTheClusterPerCommand()
    {
        // The data path checks SWP on every write: it must not cost a round trip to the cluster.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        (await two.Run(ModeSelect6, dataOut: ControlPage(true), nexus: _b)).AssertGood();
        (await one.Run(TestUnitReady, nexus: _a)).AssertSense(SenseKey.UnitAttention, AdditionalSense.ModeParametersChanged);
        var loads = _cluster.Loads;
        for (var i = 0; i < 10; i++)
        {
            (await one.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: _a)).AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
            (await one.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _a)).AssertGood();
        }

        Assert.Equal(loads, _cluster.Loads);
    }

    [Fact]
    public async Task Swp_OfAGatewayCutOffFromTheCluster_IsNotServedFromItsCopy()
    {
        // A gateway that cannot vouch for its copy answers NOT READY (transition) rather than let a write
        // through that another gateway's SWP forbids; MODE SELECT there changes nothing.
        var connection = _cluster.Connect();
        var one = new ScsiHarness(options: new LogicalUnitOptions { SharedState = connection }, gatewayName: "gw1");
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        connection.Reachable = false;
        (await one.Run(ModeSelect6, dataOut: ControlPage(true), nexus: _a)).AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleAsymmetricAccessStateTransition);
        Assert.Equal(0, _cluster.Writes);

        var two = Gateway("gw2");
        (await two.Run(ModeSelect6, dataOut: ControlPage(true), nexus: _b)).AssertGood();
        (await one.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: _a)).AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleAsymmetricAccessStateTransition);

        connection.Reachable = true;
        await WaitUntil(() => one.Unit.Reservations.IsServable);
        Assert.True(one.Unit.SoftwareWriteProtect);
    }

    [Fact]
    public async Task LogicalUnitResetThroughGateway1_RaisesBusDeviceResetAtEveryNexusOfGateway2_BeforeItCompletes()
    {
        // SAM-5 6.3.3: a logical unit reset establishes a unit attention, BUS DEVICE RESET FUNCTION
        // OCCURRED (29h/03h), "for the initiator port associated with every I_T nexus"; the nexuses of
        // the other gateway are nexuses of the same logical unit. The reset's response waits for it.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        var aborted = new List<Func<ItNexus, bool>>();
        two.Target.AbortTasks = (_, select) => aborted.Add(select);
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        (await two.Run(TestUnitReady, nexus: _b)).AssertGood();

        await one.Target.ResetLogicalUnit(0, _a);

        Assert.Equal([AdditionalSense.BusDeviceResetFunctionOccurred], two.Target.PendingUnitAttentions(0, _b));
        (await one.Run(TestUnitReady, nexus: _a)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await two.Run(TestUnitReady, nexus: _b)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await two.Run(TestUnitReady, nexus: _b)).AssertGood();

        // SAM-5 6.3.3: the reset aborts every task in the task set, those on the other gateway too.
        var select = Assert.Single(aborted);
        Assert.True(select(_b));

        // Raised once per reset: gateway 1 raised nothing more for its own nexus from the shared copy.
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
    }

    [Fact]
    public async Task LogicalUnitResetThroughGateway1_EndsPreventionsHeldThroughGateway2()
    {
        // SBC-3 5.11: a logical unit reset ends every prevention of medium removal, whichever gateway
        // the preventing nexus came through.
        var one = Gateway("gw1", removable: true);
        var two = Gateway("gw2", removable: true);
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        (await two.Run("1E 00 00 00 01 00", nexus: _b)).AssertGood();
        Assert.True(two.Unit.MediumRemovalPrevented);

        await one.Target.ResetLogicalUnit(0, _a);

        Assert.False(two.Unit.MediumRemovalPrevented);
    }

    [Fact]
    public async Task TargetColdResetThroughGateway1_EndsTheSessionsOfGateway2()
    {
        // RFC 7143 11.5.1: after a TARGET COLD RESET the target "MUST ... terminate all of its TCP
        // connections to all initiators"; the gateways of one target name are one target. A warm reset does not.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        var ended = 0;
        two.Target.EndAllSessions = () => Interlocked.Increment(ref ended);
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        (await two.Run(TestUnitReady, nexus: _b)).AssertGood();

        await one.Target.ResetTarget(_a, cold: false);
        Assert.Equal(0, Volatile.Read(ref ended));

        await one.Target.ResetTarget(_a, cold: true);
        await WaitUntil(() => Volatile.Read(ref ended) == 1);
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
