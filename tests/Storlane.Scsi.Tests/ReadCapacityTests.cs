using Storlane.Storage;

namespace Storlane.Scsi.Tests;

public sealed class ReadCapacityTests
{
    [Fact]
    public async Task ReadCapacity10_512n_ReturnsLastLbaAndBlockLength()
    {
        // SBC-3 5.15.2: RETURNED LOGICAL BLOCK ADDRESS is the last LBA (2047), then LOGICAL BLOCK LENGTH.
        var harness = new ScsiHarness();
        var reply = await harness.Run("25 00 00000000 00 00 00 00", dataIn: 8);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("000007FF 00000200"), reply.Data);
    }

    [Fact]
    public async Task ReadCapacity10_MoreThan2Pow32Blocks_ReturnsFFFFFFFF()
    {
        // SBC-3 5.15.2: "If the number of logical blocks exceeds the maximum value that is able to be
        // specified in the RETURNED LOGICAL BLOCK ADDRESS field, the device server shall set [it] to FFFFFFFFh".
        var harness = new ScsiHarness(new MemoryBlockDevice(new BlockGeometry(512, 512, 0x1_0000_0001)));
        var reply = await harness.Run("25 00 00000000 00 00 00 00", dataIn: 8);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("FFFFFFFF 00000200"), reply.Data);
    }

    [Fact]
    public async Task ReadCapacity10_LastLbaExactlyFFFFFFFE_IsStillReported()
    {
        var harness = new ScsiHarness(new MemoryBlockDevice(new BlockGeometry(512, 512, 0xFFFF_FFFF)));
        var reply = await harness.Run("25 00 00000000 00 00 00 00", dataIn: 8);
        Assert.Equal(Hex.Bytes("FFFFFFFE 00000200"), reply.Data);
    }

    [Fact]
    public async Task ReadCapacity10_LbaWithoutPmi_IsInvalidField()
    {
        // SBC-3 5.15.1: "If the PMI bit is set to zero and the LOGICAL BLOCK ADDRESS field is not set to
        // zero, the device server shall terminate the command ... INVALID FIELD IN CDB".
        var harness = new ScsiHarness();
        var reply = await harness.Run("25 00 00000010 00 00 00 00", dataIn: 8);
        reply.AssertInvalidFieldInCdb(2);
    }

    [Fact]
    public async Task ReadCapacity16_512e_ReportsExponent3()
    {
        // SBC-3 5.16.2: LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT = log2(4096 / 512) = 3;
        // LBPME and LBPRZ set because the device can unmap and unmapped blocks read as zeros.
        var harness = new ScsiHarness(ScsiHarness.Memory512e());
        var reply = await harness.Run("9E 10 0000000000000000 00000020 00 00", dataIn: 32);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000000000007FF 00000200 00 03 C0 00 00000000000000000000000000000000"), reply.Data);
    }

    [Fact]
    public async Task ReadCapacity16_4Kn_ReportsExponent0And4096()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory4Kn());
        var reply = await harness.Run("9E 10 0000000000000000 00000020 00 00", dataIn: 32);
        Assert.Equal(Hex.Bytes("00000000000000FF 00001000 00 00 C0 00"), reply.Data[..16]);
    }

    [Fact]
    public async Task ReadCapacity16_WithoutUnmap_ClearsLbpmeAndLbprz()
    {
        var harness = new ScsiHarness(new MemoryBlockDevice(new BlockGeometry(512, 512, 64), BlockDeviceFeatures.None));
        var reply = await harness.Run("9E 10 0000000000000000 00000020 00 00", dataIn: 32);
        Assert.Equal(0x00, reply.Data[14]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(12)]
    [InlineData(15)]
    public async Task ReadCapacity16_ShortAllocationLength_IsTruncatedNotAnError(int allocationLength)
    {
        // SPC-4 4.2.5.6 (libiscsi test_readcapacity16_alloclen sends 0..15): GOOD, allocation-length bytes.
        var harness = new ScsiHarness();
        var reply = await harness.Run($"9E 10 0000000000000000 000000{allocationLength:X2} 00 00", dataIn: allocationLength);
        reply.AssertGood();
        Assert.Equal(allocationLength, reply.Result.DataInLength);
    }

    [Fact]
    public async Task ServiceActionIn16_UnknownServiceAction_IsInvalidFieldInServiceActionField()
    {
        // Service action 1Fh of SERVICE ACTION IN(16) is not implemented: the service action field is the invalid field.
        var harness = new ScsiHarness();
        var reply = await harness.Run("9E 1F 0000000000000000 00000020 00 00", dataIn: 32);
        reply.AssertInvalidFieldInCdb(1, 4);
    }
}
