using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

public sealed class ReadWriteTests
{
    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact]
    public async Task Write10ThenRead10_RoundTripsTheData()
    {
        var harness = new ScsiHarness();
        var data = Pattern(3 * 512, 1);
        var write = await harness.Run(Cdb.Write10(100, 3), dataOut: data);
        write.AssertGood();
        Assert.Equal(3 * 512, write.Result.DataOutLength);
        var read = await harness.Run(Cdb.Read10(100, 3), dataIn: 3 * 512);
        read.AssertGood();
        Assert.Equal(3 * 512, read.Result.DataInLength);
        Assert.Equal(data, read.Data);
    }

    [Fact]
    public async Task Write12ThenRead16_RoundTripOn4Kn()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory4Kn());
        var data = Pattern(2 * 4096, 2);
        (await harness.Run(Cdb.Write12(254, 2), dataOut: data)).AssertGood();
        Assert.Equal(data, await harness.ReadBack(254, 2));
    }

    [Fact]
    public async Task Read6_TransferLength0_Means256Blocks()
    {
        // SBC-3 5.8: "A TRANSFER LENGTH field set to zero specifies that 256 logical blocks shall be read."
        var harness = new ScsiHarness();
        await harness.Fill(0, 256, 0x5A);
        var reply = await harness.Run("08 00 00 00 00 00", dataIn: 256 * 512);
        reply.AssertGood();
        Assert.Equal(256 * 512, reply.Result.DataInLength);
        Assert.All(reply.Data, b => Assert.Equal(0x5A, b));
    }

    [Fact]
    public async Task Write6_TransferLength0_Means256Blocks()
    {
        var harness = new ScsiHarness();
        var data = Pattern(256 * 512, 3);
        var reply = await harness.Run("0A 00 00 10 00 00", dataOut: data);
        reply.AssertGood();
        Assert.Equal(256 * 512, reply.Result.DataOutLength);
        Assert.Equal(data, await harness.ReadBack(16, 256));
    }

    [Fact]
    public async Task Read6_Uses21BitLba()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory512n(0x20_0000));
        await harness.Fill(0x1F_0001, 1, 0xA5);
        var reply = await harness.Run("08 1F 00 01 01 00", dataIn: 512);
        reply.AssertGood();
        Assert.All(reply.Data, b => Assert.Equal(0xA5, b));
    }

    [Fact]
    public async Task Read10_TransferLength0_IsGoodWithNoData()
    {
        // SBC-3 5.9: "A TRANSFER LENGTH field set to zero specifies that no logical blocks shall be read.
        // This condition shall not be considered an error."
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.Read10(0, 0));
        reply.AssertGood();
        Assert.Equal(0, reply.Result.DataInLength);
    }

    [Fact]
    public async Task Read10_BeyondLastLba_IsLbaOutOfRange()
    {
        // SBC-3 4.5: accessing a block outside the capacity -> ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT OF RANGE.
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.Read10(2047, 2), dataIn: 1024);
        Assert.Equal("70000500000000" + "0A00000000210000000000", Hex.Of(reply.Sense));
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
    }

    [Theory]
    [InlineData(2049u)]
    [InlineData(0x8000_0000u)]
    [InlineData(0xFFFF_FFFFu)]
    public async Task Read10_ZeroBlocksPastCapacity_IsLbaOutOfRange(uint lba)
    {
        // libiscsi test_read10_0blocks: LBA beyond the end with TRANSFER LENGTH 0 is still out of range.
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.Read10(lba, 0));
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
    }

    [Fact]
    public async Task Read16_LbaNearUlongMax_DoesNotWrapAround()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.Read16(ulong.MaxValue, 1), dataIn: 512);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
    }

    [Fact]
    public async Task Read10_LastBlock_IsInRange()
    {
        var harness = new ScsiHarness();
        (await harness.Run(Cdb.Read10(2047, 1), dataIn: 512)).AssertGood();
    }

    [Theory]
    [InlineData(0x20)]
    [InlineData(0x60)]
    [InlineData(0xE0)]
    public async Task Read10_RdProtectNonZero_IsInvalidFieldInCdb(byte rdprotect)
    {
        // SBC-3 5.9: no protection information (PROTECT = 0), so RDPROTECT != 000b is INVALID FIELD IN CDB.
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.Read10(0, 1, rdprotect), dataIn: 512);
        reply.AssertInvalidFieldInCdb(1, 7 - (int.LeadingZeroCount(rdprotect) - 24));
    }

    [Fact]
    public async Task Write16_WrProtectNonZero_IsInvalidFieldInCdb()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.Write16(0, 1, 0x20), dataOut: new byte[512]);
        reply.AssertInvalidFieldInCdb(1, 5);
    }

    [Theory]
    [InlineData(0x10)]
    [InlineData(0x08)]
    [InlineData(0x18)]
    [InlineData(0x02)]
    public async Task Read10_DpoFuaFuaNv_AreAccepted(byte flags)
    {
        // libiscsi test_read10_dpofua / test_write16_flags: DPOFUA = 1 in MODE SENSE, so DPO, FUA and FUA_NV are GOOD.
        var harness = new ScsiHarness();
        (await harness.Run(Cdb.Read10(0, 1, flags), dataIn: 512)).AssertGood();
    }

    [Fact]
    public async Task Write10_Fua_IsForceUnitAccessOnTheDevice()
    {
        // SBC-3 5.32: FUA = 1 "the device server shall write the logical blocks to the medium" before GOOD.
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        (await harness.Run(Cdb.Write10(1, 1, 0x08), dataOut: new byte[512])).AssertGood();
        (await harness.Run(Cdb.Write10(2, 1, 0x10), dataOut: new byte[512])).AssertGood();
        Assert.Equal([(1L, 512, WriteOptions.ForceUnitAccess), (2L, 512, WriteOptions.None)], device.Writes);
    }

    [Fact]
    public async Task Write_ReadOnlyLun_IsDataProtectWriteProtected()
    {
        // SBC-3 4.11: writes to a write-protected unit end with DATA PROTECT, WRITE PROTECTED.
        var harness = new ScsiHarness(options: new LogicalUnitOptions { ReadOnly = true });
        var reply = await harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512]);
        reply.AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
        Assert.All(await harness.ReadBack(0, 1), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Write_ReadOnlyDevice_IsWriteProtected()
    {
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64), BlockDeviceFeatures.ReadOnly);
        var harness = new ScsiHarness(device);
        var reply = await harness.Run(Cdb.Write16(0, 1), dataOut: new byte[512]);
        reply.AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
        Assert.Empty(device.Writes);
    }

    [Fact]
    public async Task Write10_DataOutOneBlockShortOfTwo_WritesOnlyTheFirstBlock()
    {
        // libiscsi test_write10_residuals: "Write two blocks of 'b' but set iSCSI EDTL to 1 blocks":
        // GOOD, overflow of one block (DataOutLength says two), and the second block is untouched.
        var harness = new ScsiHarness();
        await harness.Fill(0, 2, (byte)'a');
        var data = new byte[512];
        data.AsSpan().Fill((byte)'b');
        var reply = await harness.Run(Cdb.Write10(0, 2), dataOut: data);
        reply.AssertGood();
        Assert.Equal(1024, reply.Result.DataOutLength);
        var back = await harness.ReadBack(0, 2);
        Assert.All(back[..512], b => Assert.Equal((byte)'b', b));
        Assert.All(back[512..], b => Assert.Equal((byte)'a', b));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    public async Task Write10_LessThanOneBlockOfDataOut_IsGoodAndWritesNothing(int received)
    {
        // libiscsi test_write10_residuals: EDTL 0 and 200 bytes are GOOD with a residual overflow.
        var harness = new ScsiHarness();
        await harness.Fill(5, 1, 0x11);
        var reply = await harness.Run(Cdb.Write10(5, 1), dataOut: new byte[received]);
        reply.AssertGood();
        Assert.Equal(512, reply.Result.DataOutLength);
        Assert.All(await harness.ReadBack(5, 1), b => Assert.Equal(0x11, b));
    }

    [Fact]
    public async Task Write10_MoreDataOutThanTransferLength_WritesOnlyTheTransferLength()
    {
        // "Verify that if iSCSI EDTL > SCSI TL then we only write SCSI TL amount of data".
        var harness = new ScsiHarness();
        var data = new byte[1024];
        data.AsSpan().Fill(0x22);
        (await harness.Run(Cdb.Write10(7, 1), dataOut: data)).AssertGood();
        Assert.All(await harness.ReadBack(8, 1), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Read10_DataInOf200Bytes_FillsIt_AndReportsTheFullBlock()
    {
        // libiscsi test_read10_residuals: EDTL 200 for one block: GOOD, 200 bytes, overflow of block - 200.
        var harness = new ScsiHarness();
        var data = Pattern(512, 4);
        (await harness.Run(Cdb.Write10(9, 1), dataOut: data)).AssertGood();
        var reply = await harness.Run(Cdb.Read10(9, 1), dataIn: 200);
        reply.AssertGood();
        Assert.Equal(512, reply.Result.DataInLength);
        Assert.Equal(data[..200], reply.DataIn);
    }

    [Fact]
    public async Task Read10_DataInOfOneAndAHalfBlocks_FillsWholeAndPartialBlock()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory4Kn());
        var data = Pattern(3 * 4096, 5);
        (await harness.Run(Cdb.Write10(3, 3), dataOut: data)).AssertGood();
        var reply = await harness.Run(Cdb.Read10(3, 3), dataIn: 6144);
        reply.AssertGood();
        Assert.Equal(3 * 4096, reply.Result.DataInLength);
        Assert.Equal(data[..6144], reply.DataIn);
    }

    [Fact]
    public async Task Read10_AboveMaximumTransferLength_IsInvalidFieldInTransferLength()
    {
        // SBC-3 6.5.3: a transfer length above MAXIMUM TRANSFER LENGTH -> INVALID FIELD IN CDB.
        var harness = new ScsiHarness(options: new LogicalUnitOptions { MaxTransferBytes = 64 * 512 });
        (await harness.Run(Cdb.Read10(0, 64), dataIn: 64 * 512)).AssertGood();
        var reply = await harness.Run(Cdb.Read10(0, 65), dataIn: 65 * 512);
        reply.AssertInvalidFieldInCdb(7);
    }

    [Fact]
    public async Task Read_DeviceIOException_IsMediumErrorUnrecoveredReadError()
    {
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64)) { Failure = new IOException("bad sector") };
        var harness = new ScsiHarness(device);
        var reply = await harness.Run(Cdb.Read10(0, 1), dataIn: 512);
        reply.AssertSense(SenseKey.MediumError, AdditionalSense.UnrecoveredReadError);
    }

    [Fact]
    public async Task Write_DeviceIOException_IsMediumErrorWriteError()
    {
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64)) { Failure = new IOException("disk gone") };
        var harness = new ScsiHarness(device);
        var reply = await harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512]);
        reply.AssertSense(SenseKey.MediumError, AdditionalSense.WriteError);
    }

    [Fact]
    public async Task Read_DeviceUnexpectedException_IsHardwareErrorInternalTargetFailure()
    {
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64)) { Failure = new InvalidOperationException("bug") };
        var harness = new ScsiHarness(device);
        var reply = await harness.Run(Cdb.Read10(0, 1), dataIn: 512);
        reply.AssertSense(SenseKey.HardwareError, AdditionalSense.InternalTargetFailure);
    }

    [Fact]
    public async Task Read_Cancelled_PropagatesOperationCanceled()
    {
        // An aborted task is the transport's business: no sense, the exception comes through.
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64)) { ReadGate = new TaskCompletionSource() };
        var harness = new ScsiHarness(device);
        using var abort = new CancellationTokenSource();
        var pending = harness.Run(Cdb.Read10(0, 1), dataIn: 512, cancellationToken: abort.Token);
        Assert.False(pending.IsCompleted);
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task Read_DeviceCompletingLater_StillReturnsData()
    {
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64)) { ReadGate = new TaskCompletionSource() };
        var harness = new ScsiHarness(device);
        var pending = harness.Run(Cdb.Read10(0, 2), dataIn: 1024);
        Assert.False(pending.IsCompleted);
        device.ReadGate.SetResult();
        var reply = await pending;
        reply.AssertGood();
        Assert.Equal(1024, reply.Result.DataInLength);
    }

    [Fact]
    public async Task Read10_4KiB_AllocatesNothing()
    {
        // Architecture habit 3: zero allocation per 4 KiB READ on the SCSI side (memory device, warm path).
        var target = new ScsiTargetDevice(ScsiHarness.TargetName);
        target.AddLogicalUnit(0, ScsiHarness.Memory512n());
        var command = new ScsiCommand
        {
            Nexus = ScsiHarness.NewNexus(),
            Cdb = Cdb.Read10(8, 8),
            DataIn = new byte[4096],
        };
        for (var i = 0; i < 10; i++)
        {
            await target.ExecuteAsync(command, CancellationToken.None);
        }

        var failures = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            var result = await target.ExecuteAsync(command, CancellationToken.None);
            failures += result.Status == ScsiStatus.Good ? 0 : 1;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task Write10_4KiB_AllocatesNothing()
    {
        var target = new ScsiTargetDevice(ScsiHarness.TargetName);
        target.AddLogicalUnit(0, ScsiHarness.Memory512n());
        var command = new ScsiCommand
        {
            Nexus = ScsiHarness.NewNexus(),
            Cdb = Cdb.Write10(8, 8, 0x08),
            DataOut = new byte[4096],
        };
        for (var i = 0; i < 10; i++)
        {
            await target.ExecuteAsync(command, CancellationToken.None);
        }

        var failures = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            var result = await target.ExecuteAsync(command, CancellationToken.None);
            failures += result.Status == ScsiStatus.Good ? 0 : 1;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Options_ChangedAfterAdd_DoNotAffectTheUnit()
    {
        var options = new LogicalUnitOptions { ReadOnly = false, Serial = "A" };
        var unit = new ScsiTargetDevice(ScsiHarness.TargetName).AddLogicalUnit(0, ScsiHarness.Memory512n(), options);
        options.ReadOnly = true;
        options.Serial = "B";
        Assert.False(unit.IsReadOnly);
        Assert.Equal("A", unit.Serial);
        Assert.NotSame(options, unit.Options);
    }
}
