using Storlane.Protocol.Scsi;

namespace Storlane.Scsi.Tests;

public sealed class ReportTargetPortGroupsTests
{
    [Fact]
    public async Task ReportTargetPortGroups_ListsDeclaredAndLearnedPorts_ActiveOptimized()
    {
        // SPC-4 6.37: one descriptor per target port group, ASYMMETRIC ACCESS STATE 0h (active/optimized),
        // U_SUP S_SUP AN_SUP AO_SUP, TARGET PORT COUNT and the relative target port identifiers.
        var harness = new ScsiHarness();
        harness.Target.AddTargetPort(relativeTargetPortId: 3, targetPortGroup: 2);
        var reply = await harness.Run("A3 0A 00 00 00 00 00 00 04 00 00 00", dataIn: 1024);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000018" + "00 0F 0001 00 00 00 01" + "0000 0001" + "00 0F 0002 00 00 00 01" + "0000 0003"), reply.Data);
    }

    [Fact]
    public async Task ReportTargetPortGroups_ExtendedHeader_HasFormatType1()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("A3 2A 00 00 00 00 00 00 04 00 00 00", dataIn: 1024);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000010 10 00 0000" + "00 0F 0001 00 00 00 01" + "0000 0001"), reply.Data);
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

    private const string TestUnitReady = "00 00 00 00 00 00";

    /// <summary>SET TARGET PORT GROUPS: PARAMETER LIST LENGTH in bytes 6..9.</summary>
    private static byte[] Stpg(int listLength) => [0xA4, 0x0A, 0, 0, 0, 0, 0, 0, 0, (byte)listLength, 0, 0];

    private static byte[] StpgList(params (byte State, ushort Group)[] descriptors)
    {
        var list = new byte[4 + (4 * descriptors.Length)];
        for (var i = 0; i < descriptors.Length; i++)
        {
            list[4 + (4 * i)] = descriptors[i].State;
            list[6 + (4 * i)] = (byte)(descriptors[i].Group >> 8);
            list[7 + (4 * i)] = (byte)descriptors[i].Group;
        }

        return list;
    }

    [Fact]
    public async Task SetTargetPortGroups_Standby_RefusesMediumAccessThroughThatGroup()
    {
        // SPC-4 6.43 / 5.16.2.4.4: group 2 in standby: READ through it is NOT READY, LOGICAL UNIT NOT
        // ACCESSIBLE, TARGET PORT IN STANDBY STATE (04h/0Bh); MODE SENSE and INQUIRY still run; group 1
        // is untouched. RTPG shows the state with STATUS CODE 01h; the other nexus is told (2Ah/06h).
        var harness = new ScsiHarness();
        var second = ScsiHarness.NewNexus("iqn.x:second", portalGroup: 2);
        (await harness.Run(TestUnitReady, nexus: second)).AssertGood();
        var list = StpgList((0x02, 2));
        (await harness.Run(Stpg(list.Length), dataOut: list)).AssertGood();

        (await harness.Run(TestUnitReady, nexus: second)).AssertSense(SenseKey.UnitAttention, AdditionalSense.AsymmetricAccessStateChanged);
        (await harness.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: second)).AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleTargetPortInStandbyState);
        (await harness.Run("1A 08 3F 00 FF 00", dataIn: 255, nexus: second)).AssertGood();
        (await harness.Run("12 00 00 00 60 00", dataIn: 96, nexus: second)).AssertGood();
        (await harness.Run(Cdb.Read10(0, 1), dataIn: 512)).AssertGood();

        var reply = await harness.Run("A3 0A 00 00 00 00 00 00 04 00 00 00", dataIn: 1024);
        Assert.Equal(Hex.Bytes("00000018" + "00 0F 0001 00 00 00 01" + "0000 0001" + "02 0F 0002 00 01 00 01" + "0000 0002"), reply.Data);
    }

    [Fact]
    public async Task SetTargetPortGroups_Unavailable_LeavesOnlyInquiryReportLunsAndAlua()
    {
        var harness = new ScsiHarness();
        var list = StpgList((0x03, 1));
        (await harness.Run(Stpg(list.Length), dataOut: list)).AssertGood();
        (await harness.Run("1A 08 3F 00 FF 00", dataIn: 255)).AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleTargetPortInUnavailableState);
        (await harness.Run("A3 0A 00 00 00 00 00 00 04 00 00 00", dataIn: 1024)).AssertGood();

        // Back to active/non-optimized through the same port: SET TARGET PORT GROUPS runs in every state.
        var back = StpgList((0x01, 1));
        (await harness.Run(Stpg(back.Length), dataOut: back)).AssertGood();
        (await harness.Run(Cdb.Read10(0, 1), dataIn: 512)).AssertGood();
        Assert.Equal(TargetPortGroupState.ActiveNonOptimized, harness.Target.GetTargetPortGroupState(1));
    }

    [Fact]
    public async Task SetTargetPortGroups_BadDescriptors_ChangeNothing()
    {
        var harness = new ScsiHarness();
        (await harness.Run(TestUnitReady)).AssertGood();
        var transitioning = StpgList((0x0F, 1));
        (await harness.Run(Stpg(transitioning.Length), dataOut: transitioning)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
        var unknownGroup = StpgList((0x02, 1), (0x02, 9));
        (await harness.Run(Stpg(unknownGroup.Length), dataOut: unknownGroup)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
        (await harness.Run(Stpg(6), dataOut: new byte[6])).AssertSense(SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);
        Assert.Equal(TargetPortGroupState.ActiveOptimized, harness.Target.GetTargetPortGroupState(1));
    }

    [Fact]
    public async Task ImplicitTransition_TellsEveryNexus()
    {
        // SPC-4 5.16.2.6: a state the target changes itself raises ASYMMETRIC ACCESS STATE CHANGED for
        // every I_T nexus; RTPG STATUS CODE 02h (altered by implicit transition).
        var harness = new ScsiHarness();
        (await harness.Run(TestUnitReady)).AssertGood();
        harness.Target.SetTargetPortGroupState(1, TargetPortGroupState.ActiveNonOptimized);
        (await harness.Run(TestUnitReady)).AssertSense(SenseKey.UnitAttention, AdditionalSense.AsymmetricAccessStateChanged);
        var reply = await harness.Run("A3 0A 00 00 00 00 00 00 04 00 00 00", dataIn: 1024);
        Assert.Equal(Hex.Bytes("0000000C" + "01 0F 0001 00 02 00 01" + "0000 0001"), reply.Data);
    }
}
