using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

public sealed class VerifyAndSyncTests
{
    [Fact]
    public async Task Verify10_BytchkZero_OnlyChecksTheRange()
    {
        var harness = new ScsiHarness();
        (await harness.Run(Cdb.Verify10(0, 16))).AssertGood();
        (await harness.Run(Cdb.Verify10(2040, 16))).AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
    }

    [Fact]
    public async Task Verify10_BytchkOne_MatchingData_IsGood()
    {
        var harness = new ScsiHarness();
        await harness.Fill(10, 4, 0x3C);
        var data = new byte[4 * 512];
        data.AsSpan().Fill(0x3C);
        var reply = await harness.Run(Cdb.Verify10(10, 4, 0x02), dataOut: data);
        reply.AssertGood();
        Assert.Equal(data.Length, reply.Result.DataOutLength);
    }

    [Fact]
    public async Task Verify16_BytchkOne_Mismatch_IsMiscompareWithOffsetInInformation()
    {
        // SBC-3 5.31: MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION, INFORMATION = offset of the first
        // byte of the data-out buffer that did not match.
        var harness = new ScsiHarness();
        await harness.Fill(10, 4, 0x3C);
        var data = new byte[4 * 512];
        data.AsSpan().Fill(0x3C);
        data[1500] ^= 0xFF;
        var reply = await harness.Run(Cdb.Verify16(10, 4, 0x02), dataOut: data);
        reply.AssertSense(SenseKey.Miscompare, AdditionalSense.MiscompareDuringVerifyOperation);
        Assert.Equal("F0000E000005DC0A000000001D0000000000", Hex.Of(reply.Sense));
    }

    [Fact]
    public async Task Verify10_BytchkThree_ComparesOneBlockWithEveryBlock()
    {
        var harness = new ScsiHarness();
        await harness.Fill(0, 8, 0x77);
        var block = new byte[512];
        block.AsSpan().Fill(0x77);
        (await harness.Run(Cdb.Verify10(0, 8, 0x06), dataOut: block)).AssertGood();
        (await harness.Run(Cdb.Verify10(0, 9, 0x06), dataOut: block)).AssertSense(SenseKey.Miscompare, AdditionalSense.MiscompareDuringVerifyOperation);
    }

    [Fact]
    public async Task Verify10_BytchkTwo_IsInvalidField()
    {
        // SBC-3 5.29: BYTCHK 10b is reserved.
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.Verify10(0, 1, 0x04), dataOut: new byte[512]);
        reply.AssertInvalidFieldInCdb(1, 2);
    }

    [Fact]
    public async Task Verify10_VrProtect_IsInvalidField()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.Verify10(0, 1, 0x20));
        reply.AssertInvalidFieldInCdb(1, 5);
    }

    [Fact]
    public async Task SynchronizeCache10_FlushesTheDevice()
    {
        // SBC-3 5.22: SYNCHRONIZE CACHE makes completed writes durable (IMMED accepted).
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64), BlockDeviceFeatures.VolatileWriteCache);
        var harness = new ScsiHarness(device);
        (await harness.Run(Cdb.SynchronizeCache10(0, 0))).AssertGood();
        (await harness.Run(Cdb.SynchronizeCache10(8, 8, 0x02))).AssertGood();
        Assert.Equal(2, device.Flushes);
    }

    [Fact]
    public async Task SynchronizeCache16_BeyondCapacity_IsLbaOutOfRange()
    {
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        (await harness.Run(Cdb.SynchronizeCache16(60, 5))).AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
        (await harness.Run(Cdb.SynchronizeCache16(65, 0))).AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
        Assert.Equal(0, device.Flushes);
    }

    [Fact]
    public async Task SynchronizeCache_DeviceIOException_IsMediumErrorWriteError()
    {
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64)) { Failure = new IOException("fsync failed") };
        var harness = new ScsiHarness(device);
        (await harness.Run(Cdb.SynchronizeCache10(0, 0))).AssertSense(SenseKey.MediumError, AdditionalSense.WriteError);
    }
}
