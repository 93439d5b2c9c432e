namespace Storlane.Scsi.Tests;

public sealed class ReportTargetPortGroupsTests
{
    [Fact]
    public async Task ReportTargetPortGroups_ListsDeclaredAndLearnedPorts_ActiveOptimized()
    {
        // SPC-4 6.37: one descriptor per target port group, ASYMMETRIC ACCESS STATE 0h (active/optimized),
        // AO_SUP, TARGET PORT COUNT and the relative target port identifiers.
        var harness = new ScsiHarness();
        harness.Target.AddTargetPort(relativeTargetPortId: 3, targetPortGroup: 2);
        var reply = await harness.Run("A3 0A 00 00 00 00 00 00 04 00 00 00", dataIn: 1024);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000018" + "00 01 0001 00 00 00 01" + "0000 0001" + "00 01 0002 00 00 00 01" + "0000 0003"), reply.Data);
    }

    [Fact]
    public async Task ReportTargetPortGroups_ExtendedHeader_HasFormatType1()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("A3 2A 00 00 00 00 00 00 04 00 00 00", dataIn: 1024);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000010 10 00 0000" + "00 01 0001 00 00 00 01" + "0000 0001"), reply.Data);
    }

    [Fact]
    public async Task ReportTargetPortGroups_AllocationLength4_ReturnsTheLength()
    {
        // libiscsi test_rtpg_simple first asks for 4 bytes to learn the full size.
        var harness = new ScsiHarness();
        var reply = await harness.Run("A3 0A 00 00 00 00 00 00 00 04 00 00", dataIn: 4);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("0000000C"), reply.Data);
    }
}
