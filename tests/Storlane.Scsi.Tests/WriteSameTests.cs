using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

public sealed class WriteSameTests
{
    private static byte[] Block(byte fill, int size = 512)
    {
        var block = new byte[size];
        block.AsSpan().Fill(fill);
        return block;
    }

    [Fact]
    public async Task WriteSame10_ReplicatesTheBlock()
    {
        // SBC-3 5.41: the single block of the data-out buffer is written to every LBA of the range.
        var harness = new ScsiHarness();
        var block = Block(0x00);
        block[0] = 0xAB;
        block[511] = 0xCD;
        var reply = await harness.Run(Cdb.WriteSame10(100, 5), dataOut: block);
        reply.AssertGood();
        Assert.Equal(512, reply.Result.DataOutLength);
        var back = await harness.ReadBack(99, 7);
        Assert.All(back[..512], b => Assert.Equal(0, b));
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(block, back[(i * 512)..((i + 1) * 512)]);
        }

        Assert.All(back[(6 * 512)..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task WriteSame16_ZeroBlockWithUnmap_Deallocates()
    {
        // SBC-3 4.7.3.3 / LBPRZ = 1: with UNMAP = 1 and a block of zeros, the range is unmapped.
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        (await harness.Run(Cdb.WriteSame16(8, 16, 0x08), dataOut: Block(0))).AssertGood();
        Assert.Equal([(8L, 16L)], device.Unmaps);
        Assert.Empty(device.Writes);
    }

    [Fact]
    public async Task WriteSame16_NonZeroBlockWithUnmap_Deallocates()
    {
        // SBC-4 table "ANCHOR bit, UNMAP bit, and ANC_SUP bit relationships": UNMAP = 1, ANCHOR = 0 ->
        // "The device server in a thin provisioned logical unit should deallocate each LBA specified by
        // the command", whatever the data block holds; LBPRZ = 1, so the blocks read back as zeros.
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        await harness.Fill(8, 2, 0x11);
        (await harness.Run(Cdb.WriteSame16(8, 2, 0x08), dataOut: Block(0x44))).AssertGood();
        Assert.Equal([(8L, 2L)], device.Unmaps);
        Assert.All(await harness.ReadBack(8, 2), b => Assert.Equal(0x00, b));
    }

    [Fact]
    public async Task WriteSame16_Ndob_UnmapsWithoutDataOut()
    {
        // SBC-3 5.43: NDOB = 1, no data-out buffer; the data is a block of zeros.
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        var reply = await harness.Run(Cdb.WriteSame16(0, 64, 0x09));
        reply.AssertGood();
        Assert.Equal(0, reply.Result.DataOutLength);
        Assert.Equal([(0L, 64L)], device.Unmaps);
    }

    [Fact]
    public async Task WriteSame16_NdobWithoutUnmap_WritesZeros()
    {
        var harness = new ScsiHarness();
        await harness.Fill(3, 2, 0xEE);
        (await harness.Run(Cdb.WriteSame16(3, 2, 0x01))).AssertGood();
        Assert.All(await harness.ReadBack(3, 2), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task WriteSame10_NumberOfBlocksZero_WritesToTheEndOfTheMedium()
    {
        // SBC-3 5.41 with WSNZ = 0: NUMBER OF LOGICAL BLOCKS 0 writes from the LBA to the last LBA.
        var harness = new ScsiHarness();
        (await harness.Run(Cdb.WriteSame10(2040, 0), dataOut: Block(0x99))).AssertGood();
        Assert.All(await harness.ReadBack(2040, 8), b => Assert.Equal(0x99, b));
        Assert.All(await harness.ReadBack(2039, 1), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task WriteSame10_AboveMaximumWriteSameLength_IsInvalidField()
    {
        // SBC-3 6.5.3: more blocks than MAXIMUM WRITE SAME LENGTH -> INVALID FIELD IN CDB (also for 0 = "to the end").
        var harness = new ScsiHarness(options: new LogicalUnitOptions { MaxWriteSameBlocks = 16 });
        (await harness.Run(Cdb.WriteSame10(0, 16), dataOut: Block(1))).AssertGood();
        (await harness.Run(Cdb.WriteSame10(0, 17), dataOut: Block(1))).AssertInvalidFieldInCdb(7);
        (await harness.Run(Cdb.WriteSame10(2031, 0), dataOut: Block(1))).AssertInvalidFieldInCdb(7);
        (await harness.Run(Cdb.WriteSame10(2032, 0), dataOut: Block(1))).AssertGood();
    }

    [Theory]
    [InlineData(2048u, 1)]
    [InlineData(2047u, 2)]
    [InlineData(2049u, 0)]
    [InlineData(0xFFFF_FFFFu, 1)]
    public async Task WriteSame10_BeyondCapacity_IsLbaOutOfRange(uint lba, ushort blocks)
    {
        var harness = new ScsiHarness();
        (await harness.Run(Cdb.WriteSame10(lba, blocks), dataOut: Block(0))).AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
    }

    [Fact]
    public async Task WriteSame10_Anchor_IsInvalidField()
    {
        // SBC-3 5.41: ANCHOR with ANC_SUP = 0 -> INVALID FIELD IN CDB (libiscsi test_writesame10_unmap).
        var harness = new ScsiHarness();
        (await harness.Run(Cdb.WriteSame10(0, 1, 0x18), dataOut: Block(0))).AssertInvalidFieldInCdb(1, 4);
        (await harness.Run(Cdb.WriteSame10(0, 1, 0x10), dataOut: Block(0))).AssertInvalidFieldInCdb(1, 4);
    }

    [Fact]
    public async Task WriteSame10_UnmapOnDeviceWithoutUnmap_IsInvalidField()
    {
        // LBPWS10 = 0: the UNMAP bit cannot be honoured, so it is refused rather than silently written.
        var harness = new ScsiHarness(new MemoryBlockDevice(new BlockGeometry(512, 512, 64), BlockDeviceFeatures.None));
        (await harness.Run(Cdb.WriteSame10(0, 1, 0x08), dataOut: Block(0))).AssertInvalidFieldInCdb(1, 3);
        (await harness.Run(Cdb.WriteSame10(0, 1), dataOut: Block(0))).AssertGood();
    }

    [Theory]
    [InlineData(256)]
    [InlineData(1024)]
    [InlineData(0)]
    public async Task WriteSame10_DataOutNotOneBlock_IsIllegalRequest(int length)
    {
        // libiscsi test_writesame10_invalid_dataout_size: half or two blocks of data-out is an error.
        var harness = new ScsiHarness();
        (await harness.Run(Cdb.WriteSame10(0, 1, 0x08), dataOut: new byte[length])).AssertInvalidFieldInCdb(7);
    }

    [Fact]
    public async Task WriteSame16_ReadOnly_IsWriteProtected()
    {
        var harness = new ScsiHarness(options: new LogicalUnitOptions { ReadOnly = true });
        (await harness.Run(Cdb.WriteSame16(0, 1, 0x08), dataOut: Block(0))).AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
        (await harness.Run(Cdb.WriteSame16(0, 1))).AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
    }

    [Fact]
    public async Task WriteSame16_LargeRange_IsWrittenInChunks()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory512n(8192));
        (await harness.Run(Cdb.WriteSame16(0, 5000), dataOut: Block(0x12))).AssertGood();
        var back = await harness.ReadBack(0, 5001);
        Assert.All(back[..(5000 * 512)], b => Assert.Equal(0x12, b));
        Assert.All(back[(5000 * 512)..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task WriteSame10_Unmap_OnFileDevice_PunchesHolesThatReadAsZeros()
    {
        await using var file = new TempFileDevice(new BlockGeometry(512, 4096, 4096));
        var harness = new ScsiHarness(file.Device);
        await harness.Fill(0, 64, 0xFF);
        (await harness.Run(Cdb.WriteSame10(8, 32, 0x08), dataOut: Block(0))).AssertGood();
        var back = await harness.ReadBack(0, 64);
        Assert.All(back[..(8 * 512)], b => Assert.Equal(0xFF, b));
        Assert.All(back[(8 * 512)..(40 * 512)], b => Assert.Equal(0, b));
        Assert.All(back[(40 * 512)..], b => Assert.Equal(0xFF, b));
    }
}
