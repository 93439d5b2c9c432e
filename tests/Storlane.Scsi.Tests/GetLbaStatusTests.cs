using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

public sealed class GetLbaStatusTests
{
    [Fact]
    public async Task GetLbaStatus_DeviceWithoutAllocationQuery_ReportsTheRestAsMappedOrUnknown()
    {
        // SBC-3 5.20: PARAMETER DATA LENGTH (20), then one descriptor: LBA 100, 2048 - 100 blocks,
        // PROVISIONING STATUS 0h ("mapped or unknown").
        var harness = new ScsiHarness(new RecordingBlockDevice(new BlockGeometry(512, 512, 2048)));
        var reply = await harness.Run("9E 12 0000000000000064 00000018 00 00", dataIn: 24);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000014 00000000 0000000000000064 0000079C 00 000000"), reply.Data);
    }

    [Fact]
    public async Task GetLbaStatus_NothingWritten_IsOneDeallocatedExtent()
    {
        // SBC-3 5.20.3 PROVISIONING STATUS 1h: deallocated.
        var harness = new ScsiHarness();
        var reply = await harness.Run("9E 12 0000000000000064 00000018 00 00", dataIn: 24);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000014 00000000 0000000000000064 0000079C 01 000000"), reply.Data);
    }

    [Fact]
    public async Task GetLbaStatus_ReportsConsecutiveExtents_AsManyAsTheAllocationLengthHolds()
    {
        // 4 MiB of 4 KiB blocks, memory chunks of 256 blocks; block 300 written maps 256..511.
        // SBC-3 5.20.2: the first descriptor starts at the STARTING LOGICAL BLOCK ADDRESS (100).
        var harness = new ScsiHarness(ScsiHarness.Memory4Kn(1024));
        await harness.Fill(300, 1, 0xEE);
        var reply = await harness.Run("9E 12 0000000000000064 00000040 00 00", dataIn: 64);
        reply.AssertGood();
        Assert.Equal(
            Hex.Bytes("00000034 00000000"
                + "0000000000000064 0000009C 01 000000"
                + "0000000000000100 00000100 00 000000"
                + "0000000000000200 00000200 01 000000"),
            reply.Data);

        // ALLOCATION LENGTH 24: one descriptor, and PARAMETER DATA LENGTH says so.
        var one = await harness.Run("9E 12 0000000000000110 00000018 00 00", dataIn: 24);
        one.AssertGood();
        Assert.Equal(Hex.Bytes("00000014 00000000 0000000000000110 000000F0 00 000000"), one.Data);
    }

    [Fact]
    public async Task GetLbaStatus_AfterUnmapOfTheWholeExtent_IsDeallocated()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory4Kn(1024));
        await harness.Fill(256, 256, 0xEE);
        (await harness.Run(Cdb.Unmap(24), dataOut: Cdb.UnmapList((256, 256)))).AssertGood();
        var reply = await harness.Run("9E 12 0000000000000000 00000018 00 00", dataIn: 24);
        Assert.Equal(Hex.Bytes("00000014 00000000 0000000000000000 00000400 01 000000"), reply.Data);
    }

    [Fact]
    public async Task GetLbaStatus_FileBackend_ReportsHolesAsDeallocated()
    {
        await using var file = new TempFileDevice(new BlockGeometry(4096, 4096, 64));
        var harness = new ScsiHarness(file.Device);
        await harness.Fill(8, 8, 0x11);
        var reply = await harness.Run("9E 12 0000000000000000 00000040 00 00", dataIn: 64);
        reply.AssertGood();
        Assert.Equal(
            Hex.Bytes("00000034 00000000"
                + "0000000000000000 00000008 01 000000"
                + "0000000000000008 00000008 00 000000"
                + "0000000000000010 00000030 01 000000"),
            reply.Data);
    }

    [Fact]
    public async Task GetLbaStatus_512eStartInsideAPhysicalBlock_FirstDescriptorStartsAtTheStartingLba()
    {
        // libiscsi's GetLBAStatus.UnmapSingle on a 512e unit (8 logical blocks per physical block,
        // LOWEST ALIGNED LBA 0): 264 blocks written, the first physical block (LBAs 0..7) unmapped.
        await using var file = new TempFileDevice(new BlockGeometry(512, 4096, 2048));
        var harness = new ScsiHarness(file.Device);
        await harness.Fill(0, 264, 0x41);
        (await harness.Run(Cdb.Unmap(24), dataOut: Cdb.UnmapList((0, 8)))).AssertGood();

        var unmapped = await harness.Run("9E 12 0000000000000000 00000018 00 00", dataIn: 24);
        unmapped.AssertGood();
        Assert.Equal(Hex.Bytes("00000014 00000000 0000000000000000 00000008 01 000000"), unmapped.Data);

        // SBC-3 5.20.2 (SBC-4, LBA status descriptor relationships): "The LBA STATUS LOGICAL BLOCK ADDRESS field in the first LBA
        // status descriptor ... shall contain the value specified in the STARTING LOGICAL BLOCK ADDRESS
        // field", aligned to a physical block or not: asked at LBA 9, the answer starts at 9 (mapped,
        // through LBA 263). libiscsi 1.19's second loop asks at i + 1 and wants i + lbppb (16) there,
        // a check its commit 9e75b10 copied from the first loop (which asks at i + lbppb); no
        // descriptor can start at 16 and hold LBA 9, so a unit with lbppb > 1 fails it by conforming.
        var inside = await harness.Run("9E 12 0000000000000009 00000018 00 00", dataIn: 24);
        inside.AssertGood();
        Assert.Equal(Hex.Bytes("00000014 00000000 0000000000000009 000000FF 00 000000"), inside.Data);

        // On a physical block boundary the same: mapped from 8 on.
        var boundary = await harness.Run("9E 12 0000000000000008 00000018 00 00", dataIn: 24);
        Assert.Equal(Hex.Bytes("00000014 00000000 0000000000000008 00000100 00 000000"), boundary.Data);
    }

    [Fact]
    public async Task GetLbaStatus_StartBeyondTheLastLba_IsLbaOutOfRange()
    {
        // SBC-3 5.20.1: a STARTING LOGICAL BLOCK ADDRESS past the capacity is LBA OUT OF RANGE.
        var harness = new ScsiHarness();
        var reply = await harness.Run("9E 12 0000000000000800 00000018 00 00", dataIn: 24);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
    }
}
