using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

public sealed class UnmapTests
{
    [Fact]
    public async Task Unmap_OnFileDevice_DeallocatedBlocksReadBackAsZeros()
    {
        // SBC-3 5.28 + LBPRZ = 1: after UNMAP the blocks read as zeros (here: holes in a sparse file).
        await using var file = new TempFileDevice(new BlockGeometry(4096, 4096, 256));
        var harness = new ScsiHarness(file.Device);
        await harness.Fill(0, 32, 0xA5);
        var list = Cdb.UnmapList((2, 3), (20, 4));
        var reply = await harness.Run(Cdb.Unmap((ushort)list.Length), dataOut: list);
        reply.AssertGood();
        Assert.Equal(list.Length, reply.Result.DataOutLength);
        var back = await harness.ReadBack(0, 32);
        for (var block = 0; block < 32; block++)
        {
            var expected = block is >= 2 and < 5 or >= 20 and < 24 ? 0x00 : 0xA5;
            Assert.All(back[(block * 4096)..((block + 1) * 4096)], b => Assert.Equal(expected, b));
        }
    }

    [Fact]
    public async Task Unmap_ParameterListLengthZero_IsGood()
    {
        // SBC-3 5.28: "A PARAMETER LIST LENGTH set to zero specifies that no data shall be sent. This
        // shall not be considered an error."
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        (await harness.Run(Cdb.Unmap(0))).AssertGood();
        Assert.Empty(device.Unmaps);
    }

    [Fact]
    public async Task Unmap_ParameterListShorterThanHeader_IsParameterListLengthError()
    {
        // SBC-3 5.28: "greater than zero and less than 8 ... PARAMETER LIST LENGTH ERROR".
        var harness = new ScsiHarness();
        (await harness.Run(Cdb.Unmap(6), dataOut: new byte[6])).AssertSense(SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);
    }

    [Fact]
    public async Task Unmap_Anchor_IsInvalidFieldInCdb()
    {
        // ANC_SUP = 0 in the Logical Block Provisioning VPD page: ANCHOR = 1 -> INVALID FIELD IN CDB.
        var harness = new ScsiHarness();
        var list = Cdb.UnmapList((0, 1));
        (await harness.Run(Cdb.Unmap((ushort)list.Length, 0x01), dataOut: list)).AssertInvalidFieldInCdb(1, 0);
    }

    [Fact]
    public async Task Unmap_DescriptorBeyondCapacity_IsLbaOutOfRange_AndNothingIsUnmapped()
    {
        // SBC-3 5.28: LBA + NUMBER OF LOGICAL BLOCKS past the capacity -> LOGICAL BLOCK ADDRESS OUT OF
        // RANGE; we check every descriptor before deallocating any.
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        var list = Cdb.UnmapList((0, 4), (60, 5));
        (await harness.Run(Cdb.Unmap((ushort)list.Length), dataOut: list)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
        Assert.Empty(device.Unmaps);
    }

    [Fact]
    public async Task Unmap_ZeroBlocksAtCapacity_IsGood()
    {
        // libiscsi test_unmap_0blocks: a descriptor at LBA == capacity with 0 blocks is GOOD.
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        var list = Cdb.UnmapList((64, 0));
        (await harness.Run(Cdb.Unmap((ushort)list.Length), dataOut: list)).AssertGood();
        Assert.Empty(device.Unmaps);
    }

    [Fact]
    public async Task Unmap_TooManyDescriptors_IsInvalidFieldInParameterList()
    {
        var harness = new ScsiHarness(options: new LogicalUnitOptions { MaxUnmapDescriptorCount = 2 });
        var list = Cdb.UnmapList((0, 1), (2, 1), (4, 1));
        (await harness.Run(Cdb.Unmap((ushort)list.Length), dataOut: list)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
    }

    [Fact]
    public async Task Unmap_MoreBlocksThanMaximumUnmapLbaCount_IsInvalidFieldInParameterList()
    {
        var harness = new ScsiHarness(options: new LogicalUnitOptions { MaxUnmapLbaCount = 8 });
        var list = Cdb.UnmapList((0, 5), (10, 4));
        (await harness.Run(Cdb.Unmap((ushort)list.Length), dataOut: list)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
    }

    [Fact]
    public async Task Unmap_IncompleteLastDescriptor_IsIgnored()
    {
        // SBC-3 5.28: "If the UNMAP BLOCK DESCRIPTOR DATA LENGTH is not a multiple of 16, then the last
        // UNMAP block descriptor is incomplete and shall be ignored."
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        var list = Cdb.UnmapList((1, 2), (10, 3));
        list[3] = 16 + 8; // UNMAP BLOCK DESCRIPTOR DATA LENGTH cuts the second descriptor in half
        (await harness.Run(Cdb.Unmap((ushort)list.Length), dataOut: list)).AssertGood();
        Assert.Equal([(1L, 2L)], device.Unmaps);
    }

    [Fact]
    public async Task Unmap_ParameterListLengthCutsTheList_OnlyReceivedDescriptorsCount()
    {
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        var list = Cdb.UnmapList((1, 2), (10, 3));
        (await harness.Run(Cdb.Unmap(24), dataOut: list)).AssertGood();
        Assert.Equal([(1L, 2L)], device.Unmaps);
    }

    [Fact]
    public async Task Unmap_ReadOnly_IsWriteProtected()
    {
        // libiscsi test_readonly_sbc: UNMAP on a read-only LUN -> DATA PROTECT, WRITE PROTECTED.
        var harness = new ScsiHarness(options: new LogicalUnitOptions { ReadOnly = true });
        var list = Cdb.UnmapList((0, 1));
        (await harness.Run(Cdb.Unmap((ushort)list.Length), dataOut: list)).AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
    }

    [Fact]
    public async Task Write10_Fua_OnFileDevice_IsDurableAndReadable()
    {
        // FUA on the file device goes through fsync before GOOD; the data reads back.
        await using var file = new TempFileDevice(new BlockGeometry(512, 512, 128));
        var harness = new ScsiHarness(file.Device);
        var data = new byte[1024];
        data.AsSpan().Fill(0x5C);
        (await harness.Run(Cdb.Write10(4, 2, 0x08), dataOut: data)).AssertGood();
        Assert.Equal(data, await harness.ReadBack(4, 2));
        var caching = await harness.Run("1A 08 08 00 FF 00", dataIn: 255);
        Assert.Equal(0x04, caching.Data[6] & 0x04); // WCE: the file device has a volatile (page) cache
    }
}
