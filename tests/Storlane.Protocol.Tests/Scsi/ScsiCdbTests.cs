using Storlane.Protocol.Scsi;

namespace Storlane.Protocol.Tests.Scsi;

/// <summary>Golden bytes of the CDBs the initiator sends and the target tests drive it with (SPC-4, SBC-3).</summary>
public class ScsiCdbTests
{
    [Fact]
    public void TestUnitReady_IsSixZeroBytes() => Assert.Equal("000000000000", Hex(ScsiCdb.TestUnitReady()));

    [Fact]
    public void Inquiry_WithAVpdPage_SetsEvpdAndThePageCode()
    {
        Assert.Equal("120000006000", Hex(ScsiCdb.Inquiry(null, 96)));
        Assert.Equal("120183010000", Hex(ScsiCdb.Inquiry(0x83, 256)));
    }

    [Fact]
    public void ReadCapacity16_IsServiceActionIn16WithServiceAction10h()
    {
        Assert.Equal("9E10000000000000000000000020" + "0000", Hex(ScsiCdb.ReadCapacity16(32)));
        Assert.Equal("25000000000000000000", Hex(ScsiCdb.ReadCapacity10()));
    }

    [Fact]
    public void ReportTargetPortGroups_IsMaintenanceInWithServiceAction0Ah()
    {
        Assert.Equal("A30A0000000000000400" + "0000", Hex(ScsiCdb.ReportTargetPortGroups(1024)));
    }

    [Fact]
    public void ReadWrite10_CarryABigEndianLbaAndBlockCount()
    {
        Assert.Equal("28000102030400000800", Hex(ScsiCdb.Read10(0x01020304, 8)));
        Assert.Equal("2A00000000FF00FFFF00", Hex(ScsiCdb.Write10(0xFF, ushort.MaxValue)));
    }

    [Fact]
    public void ReadWrite16_CarryABigEndianLbaAndBlockCount_WriteFuaIsByte1Bit3()
    {
        Assert.Equal("88000102030405060708000000100000", Hex(ScsiCdb.Read16(0x0102030405060708, 16)));
        Assert.Equal("8A080000000000000040000000080000", Hex(ScsiCdb.Write16(0x40, 8, fua: true)));
        Assert.Equal("91000000000000000000000000000000", Hex(ScsiCdb.SynchronizeCache16()));
    }

    [Fact]
    public void Unmap_AndItsOneDescriptorParameterList()
    {
        Assert.Equal("42000000000000001800", Hex(ScsiCdb.Unmap(24)));
        var list = new byte[24];
        Assert.Equal(24, Cdbs.UnmapParameters(list, 0x1000, 8));
        Assert.Equal("00160010000000000000000000001000" + "0000000800000000", Convert.ToHexString(list));
    }

    [Fact]
    public void OpcodeByte_IsTheScsiOpcode() => Assert.Equal((byte)ScsiOpcode.Read16, ScsiCdb.Read16(0, 1).Opcode);

    [Fact]
    public void Construction_RefusesAnEmptyOrOversizedCdb()
    {
        Assert.Throws<ArgumentException>(() => new ScsiCdb([]));
        Assert.Throws<ArgumentException>(() => new ScsiCdb(new byte[17]));
    }

    private static string Hex(ScsiCdb cdb) => Convert.ToHexString(cdb.ToArray());
}
