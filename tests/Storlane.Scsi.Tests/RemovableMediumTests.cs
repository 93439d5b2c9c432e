using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>
/// A removable medium (<see cref="LogicalUnitOptions.Removable"/>): INQUIRY RMB, PREVENT ALLOW MEDIUM
/// REMOVAL (SBC-3 5.11) and START STOP UNIT with LOEJ (SBC-3 5.25), in the order libiscsi's
/// PreventAllow.* and StartStopUnit.* tests use them.
/// </summary>
public sealed class RemovableMediumTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";
    private const string Prevent = "1E 00 00 00 01 00";
    private const string Allow = "1E 00 00 00 00 00";

    // START STOP UNIT byte 4: POWER CONDITION (7..4), NO_FLUSH (2), LOEJ (1), START (0).
    private const string Unload = "1B 00 00 00 02 00";
    private const string Load = "1B 00 00 00 03 00";

    private static ScsiHarness Removable() => new(ScsiHarness.Memory4Kn(64), new LogicalUnitOptions { Removable = true });

    [Fact]
    public async Task Inquiry_RmbFollowsTheOption()
    {
        // SPC-4 6.6.2: RMB (byte 1 bit 7) set to one says the medium is removable.
        var removable = await Removable().Run("12 00 00 00 60 00", dataIn: 96);
        Assert.Equal(0x80, removable.Data[1]);
        var fixedDisk = await new ScsiHarness().Run("12 00 00 00 60 00", dataIn: 96);
        Assert.Equal(0x00, fixedDisk.Data[1]);
    }

    [Fact]
    public async Task PreventAllow_OnlyOnRemovableUnits_AndInTheirSupportedOperationCodes()
    {
        // Like UNMAP on a unit without it: a unit that is not removable does not support 1Eh at all.
        var fixedDisk = new ScsiHarness();
        (await fixedDisk.Run(Prevent)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode);
        (await fixedDisk.Run(Cdb.ReportSupportedOpcodes(1, opcode: 0x1E), dataIn: 64)).AssertGood();
        Assert.Equal(Hex.Bytes("00 01 0000"), (await fixedDisk.Run(Cdb.ReportSupportedOpcodes(1, opcode: 0x1E), dataIn: 64)).Data);

        // SPC-4 6.35.3: SUPPORT 011b, CDB SIZE 6, CDB USAGE DATA: only the PREVENT field (byte 4 bits 1..0).
        var harness = Removable();
        var one = await harness.Run(Cdb.ReportSupportedOpcodes(1, opcode: 0x1E), dataIn: 64);
        one.AssertGood();
        Assert.Equal(Hex.Bytes("00 03 0006 1E 00 00 00 03 00"), one.Data);
    }

    [Fact]
    public async Task PreventAllow_ObsoletePreventValues_AreInvalidFieldInCdb()
    {
        // SBC-3 5.11 table: PREVENT 10b and 11b are obsolete (medium changer); we refuse them,
        // pointing at byte 4 bit 1, and a reserved bit (byte 4 bit 2) likewise.
        var harness = Removable();
        (await harness.Run("1E 00 00 00 02 00")).AssertInvalidFieldInCdb(4, 1);
        (await harness.Run("1E 00 00 00 03 00")).AssertInvalidFieldInCdb(4, 1);
        (await harness.Run("1E 00 00 00 04 00")).AssertInvalidFieldInCdb(4, 2);
        (await harness.Run("1E 00 00 00 00 00")).AssertGood();
    }

    [Fact]
    public async Task Unload_WhilePrevented_IsMediumRemovalPrevented_ThenAllowedUnloadRemovesTheMedium()
    {
        // libiscsi PreventAllow.Eject. SBC-3 5.11 / 5.25: an unload while removal is prevented ends with
        // ILLEGAL REQUEST, MEDIUM REMOVAL PREVENTED (53h/02h).
        var harness = Removable();
        (await harness.Run(Prevent)).AssertGood();
        var refused = await harness.Run(Unload);
        refused.AssertSense(SenseKey.IllegalRequest, AdditionalSense.MediumRemovalPrevented);
        Assert.Equal(Hex.Bytes("70 00 05 00000000 0A 00000000 53 02 00 000000"), refused.Sense);
        (await harness.Run(TestUnitReady)).AssertGood();

        (await harness.Run(Allow)).AssertGood();
        (await harness.Run(Unload)).AssertGood();

        // No medium: NOT READY, MEDIUM NOT PRESENT (3Ah/00h) for TEST UNIT READY and media access.
        var notReady = await harness.Run(TestUnitReady);
        Assert.Equal(Hex.Bytes("70 00 02 00000000 0A 00000000 3A 00 00 000000"), notReady.Sense);

        // A load is refused too while removal is prevented (what libiscsi expects), then works.
        (await harness.Run(Prevent)).AssertGood();
        (await harness.Run(Load)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.MediumRemovalPrevented);
        (await harness.Run(Allow)).AssertGood();
        (await harness.Run(Load)).AssertGood();
        (await harness.Run(TestUnitReady)).AssertGood();
    }

    [Fact]
    public async Task WithoutMedium_MediaAccessIsNotReady_OtherCommandsRun()
    {
        // libiscsi NoMedia.NoMediaSBC: every command that reaches the medium gets 02h/3Ah/00h.
        var harness = Removable();
        await harness.Fill(0, 2, 0x5A);
        (await harness.Run(Unload)).AssertGood();
        string[] media =
        [
            "25 00 00000000 00 00 00 00",
            "9E 10 0000000000000000 00000020 00 00",
            "35 00 00000000 00 0001 00",
            "34 00 00000000 00 0001 00",
            "9E 12 0000000000000000 00000018 00 00",
        ];
        foreach (var cdb in media)
        {
            (await harness.Run(cdb, dataIn: 32)).AssertSense(SenseKey.NotReady, AdditionalSense.MediumNotPresent);
        }

        (await harness.Run(Cdb.Read16(0, 1), dataIn: 4096)).AssertSense(SenseKey.NotReady, AdditionalSense.MediumNotPresent);
        (await harness.Run(Cdb.Write10(0, 1), dataOut: new byte[4096])).AssertSense(SenseKey.NotReady, AdditionalSense.MediumNotPresent);
        (await harness.Run(Cdb.Unmap(24), dataOut: Cdb.UnmapList((0, 1)))).AssertSense(SenseKey.NotReady, AdditionalSense.MediumNotPresent);

        // INQUIRY, MODE SENSE, REPORT SUPPORTED OPERATION CODES, PREVENT ALLOW need no medium.
        (await harness.Run("12 00 00 00 60 00", dataIn: 96)).AssertGood();
        (await harness.Run("1A 08 3F 00 FF 00", dataIn: 255)).AssertGood();
        (await harness.Run(Cdb.ReportSupportedOpcodes(0), dataIn: 4096)).AssertGood();
        (await harness.Run(Allow)).AssertGood();

        // Loading puts the same medium back: the data is still there.
        (await harness.Run(Load)).AssertGood();
        Assert.All(await harness.ReadBack(0, 2), b => Assert.Equal(0x5A, b));
    }

    [Fact]
    public async Task Load_RaisesMediumMayHaveChanged_OnOtherNexusesOnly()
    {
        // SPC-4 4.5.6: NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (28h/00h) for the nexuses
        // that did not load the medium; the loading nexus continues at once (libiscsi
        // StartStopUnit.Simple sends TEST UNIT READY right after the load and expects GOOD).
        var harness = Removable();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
        (await harness.Run(Unload)).AssertGood();
        (await harness.Run(TestUnitReady, nexus: other)).AssertSense(SenseKey.NotReady, AdditionalSense.MediumNotPresent);
        (await harness.Run(Load)).AssertGood();
        (await harness.Run(TestUnitReady)).AssertGood();
        var attention = await harness.Run(TestUnitReady, nexus: other);
        Assert.Equal(Hex.Bytes("70 00 06 00000000 0A 00000000 28 00 00 000000"), attention.Sense);
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();

        // Loading a medium that is present changes nothing and raises nothing.
        (await harness.Run(Load)).AssertGood();
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
    }

    [Fact]
    public async Task PowerConditionOrNoLoej_LeavesTheMediumInPlace()
    {
        // SBC-3 5.25: with a POWER CONDITION other than 0h the START and LOEJ bits are ignored (libiscsi
        // StartStopUnit.PwrCnd); LOEJ = 0 never moves the medium (NoLoej).
        var harness = Removable();
        for (var condition = 1; condition < 16; condition++)
        {
            (await harness.Run([0x1B, 0x01, 0x00, 0x00, (byte)((condition << 4) | 0x02), 0x00])).AssertGood();
            (await harness.Run(TestUnitReady)).AssertGood();
        }

        foreach (var flags in new byte[] { 0x00, 0x01, 0x04, 0x05 })
        {
            (await harness.Run([0x1B, 0x00, 0x00, 0x00, flags, 0x00])).AssertGood();
            (await harness.Run(TestUnitReady)).AssertGood();
        }
    }

    [Fact]
    public async Task Prevention_HoldsWhileAnyNexusPrevents_EndsWithTheNexus()
    {
        // SBC-3 5.11: prevention holds until every I_T nexus that prevented allows again, and ends for a
        // nexus on its I_T nexus loss (libiscsi PreventAllow.2ITNexuses, .ITNexusLoss, .Logout).
        var harness = Removable();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(Prevent)).AssertGood();
        (await harness.Run(Prevent, nexus: other)).AssertGood();
        (await harness.Run(Allow)).AssertGood();
        (await harness.Run(Unload)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.MediumRemovalPrevented);
        (await harness.Run(Unload, nexus: other)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.MediumRemovalPrevented);

        _ = harness.Target.RemoveNexus(other);
        Assert.False(harness.Unit.MediumRemovalPrevented);
        (await harness.Run(Unload)).AssertGood();
        Assert.True(harness.Unit.MediumRemoved);
    }

    [Fact]
    public async Task LogicalUnitAndTargetResets_EndEveryPrevention_MediumStaysWhereItIs()
    {
        // SBC-3 5.11: a logical unit reset ends the prevention; SAM-5 6.3: a target reset is a logical
        // unit reset of every unit (libiscsi PreventAllow.LUNReset, .WarmReset, .ColdReset).
        var harness = Removable();
        (await harness.Run(Prevent)).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        Assert.False(harness.Unit.MediumRemovalPrevented);
        (await harness.Run(TestUnitReady)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);

        // The target resets raise nothing on the sender's nexus.
        (await harness.Run(Prevent)).AssertGood();
        await harness.Target.ResetTarget(harness.Nexus, cold: false);
        Assert.False(harness.Unit.MediumRemovalPrevented);

        (await harness.Run(Prevent)).AssertGood();
        await harness.Target.ResetTarget(harness.Nexus, cold: true);
        Assert.False(harness.Unit.MediumRemovalPrevented);

        // A reset does not load an unloaded medium.
        (await harness.Run(Unload)).AssertGood();
        await harness.Target.ResetLogicalUnit(0, harness.Nexus);
        (await harness.Run(TestUnitReady)).AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        (await harness.Run(TestUnitReady)).AssertSense(SenseKey.NotReady, AdditionalSense.MediumNotPresent);
    }

    [Fact]
    public async Task FixedUnit_LoejIsAcceptedAndChangesNothing()
    {
        // RMB = 0: there is no medium to unload; START STOP UNIT keeps answering GOOD.
        var harness = new ScsiHarness();
        (await harness.Run(Unload)).AssertGood();
        (await harness.Run(TestUnitReady)).AssertGood();
        Assert.False(harness.Unit.MediumRemoved);
    }

    [Fact]
    public async Task PreventWithReservationHeldElsewhere_Conflicts_AllowDoesNot()
    {
        // SBC-3 4.17 (table 13): PREVENT ALLOW MEDIUM REMOVAL with PREVENT 00b is allowed under every
        // reservation; with another value it conflicts for a nexus that does not hold it.
        var harness = Removable();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run("16 00 00 00 00 00")).AssertGood();
        var conflict = await harness.Run(Prevent, nexus: other);
        Assert.Equal(ScsiStatus.ReservationConflict, conflict.Result.Status);
        (await harness.Run(Allow, nexus: other)).AssertGood();
        (await harness.Run(Prevent)).AssertGood();
    }
}
