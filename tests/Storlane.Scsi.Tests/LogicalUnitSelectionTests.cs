using System.Buffers.Binary;
using Storlane.Protocol.Scsi;

namespace Storlane.Scsi.Tests;

public sealed class LogicalUnitSelectionTests
{
    [Fact]
    public async Task TestUnitReady_MissingLun_IsLogicalUnitNotSupported()
    {
        // SPC-4 4.6.2 (incorrect logical unit selection): ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED.
        var harness = new ScsiHarness();
        var reply = await harness.Run("00 00 00 00 00 00", lun: 9);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.LogicalUnitNotSupported);
    }

    [Fact]
    public async Task UnknownOpcode_MissingLun_IsLogicalUnitNotSupported()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("C7 00 00 00 00 00", lun: 9);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.LogicalUnitNotSupported);
    }

    [Fact]
    public async Task RequestSense_MissingLun_ReturnsLogicalUnitNotSupportedAsParameterData()
    {
        // SPC-4 4.6.2: REQUEST SENSE to an incorrect LUN returns GOOD with sense data ILLEGAL REQUEST,
        // LOGICAL UNIT NOT SUPPORTED.
        var harness = new ScsiHarness();
        var reply = await harness.Run("03 00 00 00 FC 00", dataIn: 252, lun: 9);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("70 00 05 00000000 0A 00000000 25 00 00 000000"), reply.Data);
    }

    [Fact]
    public async Task RequestSense_NothingPending_IsNoSense()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("03 00 00 00 FC 00", dataIn: 252);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("70 00 00 00000000 0A 00000000 00 00 00 000000"), reply.Data);
    }

    [Fact]
    public async Task RequestSense_Desc_ReturnsDescriptorFormat()
    {
        // SPC-4 6.39: DESC = 1 asks for descriptor format sense (response code 72h).
        var harness = new ScsiHarness();
        var reply = await harness.Run("03 01 00 00 FC 00", dataIn: 252, lun: 9);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("72 05 25 00 00 00 00 00"), reply.Data);
    }

    [Fact]
    public async Task ReportLuns_ListsUnitsWithPeripheralAndFlatAddressing()
    {
        // SAM-5 4.6: LUN < 256 peripheral device addressing (00b, bus 0); 256..16383 flat space (01b).
        var harness = new ScsiHarness();
        harness.Target.AddLogicalUnit(300, ScsiHarness.Memory512n());
        harness.Target.AddLogicalUnit(5, ScsiHarness.Memory512n());
        var reply = await harness.Run("A0 00 00 00 00 00 00 00 01 00 00 00", dataIn: 256);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000018 00000000" + "0000000000000000" + "0005000000000000" + "412C000000000000"), reply.Data);
    }

    [Fact]
    public async Task ReportLuns_SentToMissingLun_IsAnswered()
    {
        // SPC-4 6.33: REPORT LUNS is answered whatever LUN it is addressed to.
        var harness = new ScsiHarness();
        var reply = await harness.Run("A0 00 00 00 00 00 00 00 01 00 00 00", dataIn: 256, lun: 77);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000008 00000000 0000000000000000"), reply.Data);
    }

    [Fact]
    public async Task ReportLuns_SelectReport1_ListsNoWellKnownLuns()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("A0 00 01 00 00 00 00 00 01 00 00 00", dataIn: 256);
        Assert.Equal(Hex.Bytes("00000000 00000000"), reply.Data);
    }

    [Fact]
    public async Task ReportLuns_SelectReport2_ListsAll()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("A0 00 02 00 00 00 00 00 01 00 00 00", dataIn: 256);
        Assert.Equal(16, reply.Result.DataInLength);
    }

    [Fact]
    public async Task ReportLuns_SelectReport3_IsInvalidFieldAtByte2()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("A0 00 03 00 00 00 00 00 01 00 00 00", dataIn: 256);
        reply.AssertInvalidFieldInCdb(2);
    }

    [Fact]
    public async Task ReportLuns_AllocationLength8_ReturnsTheHeaderWithTheFullListLength()
    {
        // SPC-4 4.2.5.6: truncated, LUN LIST LENGTH unchanged.
        var harness = new ScsiHarness();
        harness.Target.AddLogicalUnit(1, ScsiHarness.Memory512n());
        var reply = await harness.Run("A0 00 00 00 00 00 00 00 00 08 00 00", dataIn: 8);
        reply.AssertGood();
        Assert.Equal(8, reply.Result.DataInLength);
        Assert.Equal(16u, BinaryPrimitives.ReadUInt32BigEndian(reply.Data));
    }

    [Fact]
    public void AddLogicalUnit_Lun16384_IsOutOfRange()
    {
        var target = new ScsiTargetDevice(ScsiHarness.TargetName);
        Assert.Throws<ArgumentOutOfRangeException>(() => target.AddLogicalUnit(16384, ScsiHarness.Memory512n()));
        Assert.Equal(16383UL, target.AddLogicalUnit(16383, ScsiHarness.Memory512n()).Lun);
    }

    [Fact]
    public void AddLogicalUnit_DuplicateLun_Throws()
    {
        var target = new ScsiTargetDevice(ScsiHarness.TargetName);
        target.AddLogicalUnit(2, ScsiHarness.Memory512n());
        Assert.Throws<InvalidOperationException>(() => target.AddLogicalUnit(2, ScsiHarness.Memory512n()));
    }

    [Fact]
    public void LogicalUnits_AreSortedByLun()
    {
        var target = new ScsiTargetDevice(ScsiHarness.TargetName);
        target.AddLogicalUnit(7, ScsiHarness.Memory512n());
        target.AddLogicalUnit(2, ScsiHarness.Memory512n());
        target.AddLogicalUnit(4000, ScsiHarness.Memory512n());
        Assert.Equal([2UL, 7UL, 4000UL], target.LogicalUnits.Select(u => u.Lun));
        Assert.Same(target.LogicalUnits[1], target.FindLogicalUnit(7));
        Assert.Null(target.FindLogicalUnit(3));
    }

    [Theory]
    [InlineData(0UL, "0000000000000000")]
    [InlineData(255UL, "00FF000000000000")]
    [InlineData(256UL, "4100000000000000")]
    [InlineData(16383UL, "7FFF000000000000")]
    public void ScsiLun_EncodeAndDecode_RoundTrip(ulong lun, string encoded)
    {
        var bytes = new byte[8];
        ScsiLun.Encode(lun, bytes);
        Assert.Equal(encoded, Hex.Of(bytes));
        Assert.True(ScsiLun.TryDecode(bytes, out var decoded));
        Assert.Equal(lun, decoded);
    }

    [Fact]
    public void ScsiLun_TryDecode_RejectsMultiLevelLuns()
    {
        Assert.False(ScsiLun.TryDecode(Hex.Bytes("0001 0002 00000000"), out _));
        Assert.False(ScsiLun.TryDecode(Hex.Bytes("C000 0000 00000000"), out _));
    }
}
