using Storlane.Protocol.Scsi;

namespace Storlane.Scsi.Tests;

/// <summary>
/// The removable medium of one logical unit served by two gateways over one shared state
/// (<see cref="FakeCluster"/>, standing in for the RADOS object): whether the medium is loaded, and which
/// I_T nexuses prevent its removal (SBC-3 5.11), are the logical unit's, not a gateway's.
/// </summary>
public sealed class MediumAcrossGatewaysTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";
    private const string Prevent = "1E 00 00 00 01 00";
    private const string Allow = "1E 00 00 00 00 00";

    // START STOP UNIT byte 4: LOEJ (1), START (0).
    private const string Unload = "1B 00 00 00 02 00";
    private const string Load = "1B 00 00 00 03 00";

    private readonly FakeCluster _cluster = new();

    /// <summary>Initiator A on gateway 1 (target port 1), initiator B on gateway 2 (target port 2).</summary>
    private readonly ItNexus _a = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-a", portalGroup: 1);
    private readonly ItNexus _b = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-b", portalGroup: 2);

    private ScsiHarness Gateway(string name) =>
        new(options: new LogicalUnitOptions { SharedState = _cluster.Connect(), Removable = true }, gatewayName: name);

    [Fact]
    public async Task PreventionThroughGateway1_BlocksEjectThroughGateway2_EjectIsSeenEverywhere_AndThePreventionEndsWithItsNexus()
    {
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        (await one.Run(TestUnitReady, nexus: _a)).AssertGood();
        (await two.Run(TestUnitReady, nexus: _b)).AssertGood();

        // SBC-3 5.11: while any I_T nexus prevents removal, START STOP UNIT LOEJ = 1 START = 0 is refused:
        // ILLEGAL REQUEST, MEDIUM REMOVAL PREVENTED, whichever gateway the eject comes through.
        (await one.Run(Prevent, nexus: _a)).AssertGood();
        Assert.True(two.Unit.MediumRemovalPrevented);
        (await two.Run(Unload, nexus: _b)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.MediumRemovalPrevented);
        (await two.Run(TestUnitReady, nexus: _b)).AssertGood();

        // Allowed again through gateway 1, ejected through gateway 1: gateway 2 has no medium either.
        (await one.Run(Allow, nexus: _a)).AssertGood();
        (await one.Run(Unload, nexus: _a)).AssertGood();
        (await two.Run(TestUnitReady, nexus: _b)).AssertSense(SenseKey.NotReady, AdditionalSense.MediumNotPresent);
        (await two.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _b)).AssertSense(SenseKey.NotReady, AdditionalSense.MediumNotPresent);
        (await one.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _a)).AssertSense(SenseKey.NotReady, AdditionalSense.MediumNotPresent);

        // Loaded through gateway 2: SPC-4 4.5.6 / SBC-3: NOT READY TO READY CHANGE, MEDIUM MAY HAVE
        // CHANGED for every other I_T nexus, those of gateway 1 included; the loading nexus knows.
        (await two.Run(Load, nexus: _b)).AssertGood();
        (await one.Run(TestUnitReady, nexus: _a)).AssertSense(SenseKey.UnitAttention, AdditionalSense.NotReadyToReadyChangeMediumMayHaveChanged);
        (await one.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _a)).AssertGood();
        (await two.Run(TestUnitReady, nexus: _b)).AssertGood();

        // SBC-3 5.11: a prevention is the I_T nexus's and ends with it (I_T nexus loss), on every gateway.
        (await one.Run(Prevent, nexus: _a)).AssertGood();
        (await two.Run(Unload, nexus: _b)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.MediumRemovalPrevented);
        await one.Target.RemoveNexus(_a);
        Assert.False(two.Unit.MediumRemovalPrevented);
        (await two.Run(Unload, nexus: _b)).AssertGood();
        Assert.True(one.Unit.MediumRemoved);
    }

    [Fact]
    public async Task PreventionsOfBothGateways_HoldUntilTheLastIsAllowed()
    {
        // SBC-3 5.11: removal stays prevented while any I_T nexus prevents it.
        var one = Gateway("gw1");
        var two = Gateway("gw2");
        (await one.Run(Prevent, nexus: _a)).AssertGood();
        (await two.Run(Prevent, nexus: _b)).AssertGood();
        (await one.Run(Allow, nexus: _a)).AssertGood();
        (await one.Run(Unload, nexus: _a)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.MediumRemovalPrevented);
        (await two.Run(Allow, nexus: _b)).AssertGood();
        (await one.Run(Unload, nexus: _a)).AssertGood();
        Assert.True(two.Unit.MediumRemoved);
    }

    [Fact]
    public async Task RestartedGateway_EndsThePreventionsOfItsEarlierRun_AKilledOnesStayUntilALogicalUnitReset()
    {
        // A restarted gateway lost every I_T nexus it had: their preventions end when it loads the
        // state, as its SPC-2 reservations do (SBC-3 5.11, SPC-2 7.21: both end with the nexus).
        var first = Gateway("gw1");
        var two = Gateway("gw2");
        (await first.Run(Prevent, nexus: _a)).AssertGood();
        var restarted = Gateway("gw1");
        await WaitUntil(() => !two.Unit.MediumRemovalPrevented);
        (await two.Run(Unload, nexus: _b)).AssertGood();
        (await two.Run(Load, nexus: _b)).AssertGood();

        // A gateway that dies and does not come back leaves its nexuses' preventions in place (nobody
        // can tell a dead gateway from one cut off) until a logical unit reset, which ends every
        // prevention (SBC-3 5.11), through any gateway.
        var doomed = Gateway("gw3");
        var c = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-c", portalGroup: 3);
        (await doomed.Run(Prevent, nexus: c)).AssertGood();
        (await restarted.Run(Unload, nexus: _a)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.MediumRemovalPrevented);
        await restarted.Target.ResetLogicalUnit(0, _a);
        (await restarted.Run(TestUnitReady, nexus: _a)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        Assert.False(two.Unit.MediumRemovalPrevented);
        (await restarted.Run(Unload, nexus: _a)).AssertGood();
    }

    [Fact]
    public async Task MediumEjectedThroughOneGateway_IsNotPresentAtAGatewayThatStartsLater()
    {
        // Shared: the medium stays ejected for a gateway that starts later (the unit did not power on).
        var one = Gateway("gw1");
        (await one.Run(Unload, nexus: _a)).AssertGood();
        var later = Gateway("gw2");
        (await later.Run(TestUnitReady, nexus: _b)).AssertSense(SenseKey.NotReady, AdditionalSense.MediumNotPresent);
    }

    [Fact]
    public async Task StoredRecord_CarriesTheMediumOnlyWhenItDiffersFromTheDefault()
    {
        // Compatibility, as for SWP: a loaded medium with no prevention writes no new line, so a gateway
        // of an older Storlane still reads the record; a record written before reads as loaded.
        var one = Gateway("gw1");
        (await one.Run(Prevent, nexus: _a)).AssertGood();
        var text = System.Text.Encoding.UTF8.GetString(_cluster.Image.Content.Span);
        Assert.Contains($"prevent 1 {_a.Id} ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("medium", text, StringComparison.Ordinal);

        (await one.Run(Allow, nexus: _a)).AssertGood();
        (await one.Run(Unload, nexus: _a)).AssertGood();
        text = System.Text.Encoding.UTF8.GetString(_cluster.Image.Content.Span);
        Assert.Contains("medium 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("prevent", text, StringComparison.Ordinal);

        (await one.Run(Load, nexus: _a)).AssertGood();
        text = System.Text.Encoding.UTF8.GetString(_cluster.Image.Content.Span);
        Assert.DoesNotContain("medium", text, StringComparison.Ordinal);
        Assert.DoesNotContain("prevent", text, StringComparison.Ordinal);

        var old = ReservationCodec.Decode("# storlane persistent reservations v1\ngeneration 3\nswp 1\n"u8);
        Assert.False(old.MediumRemoved);
        Assert.Empty(old.Preventions);
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
