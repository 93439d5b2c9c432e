using Storlane.Protocol.Scsi;

namespace Storlane.Scsi.Tests;

public sealed class UnitAttentionTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";

    [Fact]
    public async Task UnitAttention_AfterLunReset_ReportedOnceToOtherNexus()
    {
        // SAM-5 6.3.3: LOGICAL UNIT RESET establishes BUS DEVICE RESET FUNCTION OCCURRED (29h/03h) for
        // every I_T nexus; UA_INTLCK_CTRL = 00b: reporting it with CHECK CONDITION clears it.
        var harness = new ScsiHarness();
        var other = ScsiHarness.NewNexus("iqn.1991-05.com.microsoft:host-b");
        (await harness.Run(TestUnitReady)).AssertGood();
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();

        await harness.Target.ResetLogicalUnit(0, harness.Nexus);

        var first = await harness.Run(TestUnitReady, nexus: other);
        first.AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        Assert.Equal("700006000000000A00000000290300000000", Hex.Of(first.Sense));
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
    }

    [Fact]
    public async Task UnitAttention_AfterLunReset_ReportedToTheResettingNexusToo()
    {
        // "every I_T nexus": the path that sent the reset learns of it as well (libiscsi MultipathIO.Reset).
        var harness = new ScsiHarness();
        (await harness.Run(TestUnitReady)).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        (await harness.Run(TestUnitReady)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await harness.Run(TestUnitReady)).AssertGood();
    }

    [Fact]
    public async Task UnitAttention_NewNexus_StartsWithNone()
    {
        // Login is quiet: a nexus first seen after a reset has nothing pending.
        var harness = new ScsiHarness();
        (await harness.Run(TestUnitReady)).AssertGood();
        await harness.Target.ResetTarget(harness.Nexus, cold: true);
        (await harness.Run(TestUnitReady, nexus: ScsiHarness.NewNexus("iqn.new:host"))).AssertGood();
    }

    [Fact]
    public async Task UnitAttention_Inquiry_DoesNotReportOrClearIt()
    {
        // SAM-5 5.14: INQUIRY is processed normally and the unit attention stays pending.
        var harness = new ScsiHarness();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        (await harness.Run("12 00 00 00 24 00", dataIn: 36, nexus: other)).AssertGood();
        (await harness.Run(TestUnitReady, nexus: other)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
    }

    [Fact]
    public async Task UnitAttention_ReportLuns_DoesNotReportIt()
    {
        var harness = new ScsiHarness();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        (await harness.Run("A0 00 00 00 00 00 00 00 01 00 00 00", dataIn: 256, nexus: other)).AssertGood();
        (await harness.Run(TestUnitReady, nexus: other)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
    }

    [Fact]
    public async Task UnitAttention_RequestSense_ReturnsAndClearsIt()
    {
        // SPC-4 6.39: REQUEST SENSE returns the unit attention as parameter data with GOOD and clears it.
        var harness = new ScsiHarness();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        var sense = await harness.Run("03 00 00 00 12 00", dataIn: 18, nexus: other);
        sense.AssertGood();
        Assert.Equal(Hex.Bytes("70 00 06 00000000 0A 00000000 29 03 00 000000"), sense.Data);
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
    }

    [Fact]
    public async Task UnitAttention_UnknownOpcode_ReportsTheUnitAttentionFirst()
    {
        // SAM-5 5.14: the unit attention is reported for any command but the three exempt ones.
        var harness = new ScsiHarness();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        (await harness.Run("C7 00 00 00 00 00", nexus: other)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await harness.Run("C7 00 00 00 00 00", nexus: other)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode);
    }

    [Fact]
    public async Task UnitAttention_TargetWarmReset_IsBusDeviceResetOnEveryLun()
    {
        // RFC 7143 11.5.1: TARGET WARM RESET is the SAM target reset -> 29h/03h on every logical unit.
        var harness = new ScsiHarness();
        harness.Target.AddLogicalUnit(1, ScsiHarness.Memory512n());
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
        await harness.Target.ResetTarget(harness.Nexus, cold: false);
        (await harness.Run(TestUnitReady, nexus: other, lun: 0)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await harness.Run(TestUnitReady, nexus: other, lun: 1)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await harness.Run(TestUnitReady, lun: 1)).AssertGood();
    }

    [Fact]
    public async Task UnitAttention_TargetColdReset_IsPowerOnOccurred()
    {
        var harness = new ScsiHarness();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
        await harness.Target.ResetTarget(harness.Nexus, cold: true);
        (await harness.Run(TestUnitReady, nexus: other)).AssertSense(SenseKey.UnitAttention, AdditionalSense.PowerOnOccurred);
    }

    [Fact]
    public async Task UnitAttention_PowerOnPendingWithLunReset_PowerOnIsReportedFirst()
    {
        // Precedence: POWER ON OCCURRED before the other reset conditions, each reported once.
        var harness = new ScsiHarness();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        await harness.Target.ResetTarget(harness.Nexus, cold: true);
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        Assert.Equal([AdditionalSense.PowerOnOccurred, AdditionalSense.BusDeviceResetFunctionOccurred], harness.Target.PendingUnitAttentions(0, other));
        (await harness.Run(TestUnitReady, nexus: other)).AssertSense(SenseKey.UnitAttention, AdditionalSense.PowerOnOccurred);
        (await harness.Run(TestUnitReady, nexus: other)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
    }

    [Fact]
    public async Task UnitAttention_RemoveNexus_ForgetsPendingConditions()
    {
        var harness = new ScsiHarness();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        _ = harness.Target.RemoveNexus(other);
        Assert.Empty(harness.Target.PendingUnitAttentions(0, other));
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
    }

    [Fact]
    public async Task UnitAttention_NexusThatNeverUsedTheLun_StillGetsTheResetCondition()
    {
        // SAM-5 7.7 says "every I_T nexus": a nexus seen anywhere on the target counts.
        var harness = new ScsiHarness();
        harness.Target.AddLogicalUnit(1, ScsiHarness.Memory512n());
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other, lun: 0)).AssertGood();
        await harness.Target.ResetLogicalUnit(1, harness.Nexus);
        (await harness.Run(TestUnitReady, nexus: other, lun: 1)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await harness.Run(TestUnitReady, nexus: other, lun: 0)).AssertGood();
    }

    [Fact]
    public async Task UnitAttention_AddLogicalUnit_ReportedLunsDataHasChanged_ClearedByReportLuns()
    {
        // SPC-4 6.33 / SAM-5 5.14: a changed LUN inventory is REPORTED LUNS DATA HAS CHANGED (3Fh/0Eh),
        // and REPORT LUNS clears it for the nexus that sends it.
        var harness = new ScsiHarness();
        (await harness.Run(TestUnitReady)).AssertGood();
        harness.Target.AddLogicalUnit(1, ScsiHarness.Memory512n());
        Assert.Equal([AdditionalSense.ReportedLunsDataHasChanged], harness.Target.PendingUnitAttentions(0, harness.Nexus));
        Assert.Empty(harness.Target.PendingUnitAttentions(1, harness.Nexus));
        (await harness.Run("A0 00 00 00 00 00 00 00 01 00 00 00", dataIn: 256)).AssertGood();
        (await harness.Run(TestUnitReady)).AssertGood();
    }

    [Fact]
    public async Task UnitAttention_RemoveLogicalUnit_ReportedToOtherUnits()
    {
        var harness = new ScsiHarness();
        harness.Target.AddLogicalUnit(1, ScsiHarness.Memory512n());
        (await harness.Run(TestUnitReady)).AssertGood();
        Assert.True(harness.Target.RemoveLogicalUnit(1));
        (await harness.Run(TestUnitReady)).AssertSense(SenseKey.UnitAttention, AdditionalSense.ReportedLunsDataHasChanged);
        (await harness.Run(TestUnitReady, lun: 1)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.LogicalUnitNotSupported);
    }
}
