using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>SANITIZE (SBC-3 5.19) and the SWP bit of the Control mode page (SPC-4 7.5.8).</summary>
public sealed class SanitizeTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";

    /// <summary>SANITIZE: byte 1 IMMED (7), AUSE (5), SERVICE ACTION (4..0); PARAMETER LIST LENGTH in 7..8.</summary>
    private static byte[] Sanitize(byte serviceAction, ushort listLength, bool immediate = false) =>
        [0x48, (byte)((immediate ? 0x80 : 0) | serviceAction), 0, 0, 0, 0, 0, (byte)(listLength >> 8), (byte)listLength, 0];

    /// <summary>OVERWRITE parameter list: OVERWRITE COUNT (and INVERT), INITIALIZATION PATTERN LENGTH, pattern.</summary>
    private static byte[] OverwriteList(byte countAndFlags, params byte[] pattern) =>
        [countAndFlags, 0, (byte)(pattern.Length >> 8), (byte)pattern.Length, .. pattern];

    [Fact]
    public async Task Overwrite_FillsEveryBlockWithThePatternRepeated()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory512n(64));
        await harness.Fill(0, 64, 0x61);
        var list = OverwriteList(0x01, 0xDE, 0xAD, 0xBE, 0xEF);
        (await harness.Run(Sanitize(0x01, (ushort)list.Length), dataOut: list)).AssertGood();
        var back = await harness.ReadBack(0, 64);
        for (var i = 0; i < back.Length; i += 4)
        {
            Assert.Equal(Hex.Bytes("DEADBEEF"), back[i..(i + 4)]);
        }
    }

    [Fact]
    public async Task Overwrite_InvertWithAnEvenCount_LeavesTheInvertedPattern()
    {
        // INVERT = 1: passes alternate pattern and inverse; two passes end on the inverse.
        var harness = new ScsiHarness(ScsiHarness.Memory512n(8));
        var list = OverwriteList(0x82, 0x0F);
        (await harness.Run(Sanitize(0x01, (ushort)list.Length), dataOut: list)).AssertGood();
        Assert.All(await harness.ReadBack(0, 8), b => Assert.Equal(0xF0, b));
    }

    [Fact]
    public async Task Overwrite_ParameterErrors()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory512n(8));

        // "less than 5 or greater than the logical block length plus four": INVALID FIELD IN CDB.
        (await harness.Run(Sanitize(0x01, 4), dataOut: new byte[4])).AssertInvalidFieldInCdb(7);
        (await harness.Run(Sanitize(0x01, 517), dataOut: new byte[517])).AssertInvalidFieldInCdb(7);

        // OVERWRITE COUNT 0, INITIALIZATION PATTERN LENGTH 0 or above the block length.
        var zeroCount = OverwriteList(0x00, 0xAA);
        (await harness.Run(Sanitize(0x01, (ushort)zeroCount.Length), dataOut: zeroCount)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
        byte[] zeroPattern = [0x01, 0, 0, 0, 0xAA];
        (await harness.Run(Sanitize(0x01, 5), dataOut: zeroPattern)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
    }

    [Fact]
    public async Task BlockErase_DeallocatesEveryBlock()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory4Kn(512));
        await harness.Fill(0, 512, 0x61);
        (await harness.Run(Sanitize(0x02, 0))).AssertGood();
        Assert.All(await harness.ReadBack(0, 4), b => Assert.Equal(0, b));
        var status = await harness.Run("9E 12 0000000000000000 00000018 00 00", dataIn: 24);
        Assert.Equal(Hex.Bytes("0000000000000000 00000200 01 000000"), status.Data[8..]);

        // BLOCK ERASE takes no parameter list.
        (await harness.Run(Sanitize(0x02, 8), dataOut: new byte[8])).AssertInvalidFieldInCdb(7);
    }

    [Fact]
    public async Task CryptoErase_OnAnUnencryptedUnit_IsNotSupported_ExitFailureModeNeedsNoList()
    {
        var harness = new ScsiHarness();
        (await harness.Run(Sanitize(0x03, 0))).AssertInvalidFieldInCdb(1, 4);
        (await harness.Run(Sanitize(0x1F, 0))).AssertGood();
        (await harness.Run(Sanitize(0x1F, 8), dataOut: new byte[8])).AssertInvalidFieldInCdb(7);
        (await harness.Run(Sanitize(0x05, 0))).AssertInvalidFieldInCdb(1, 4);
    }

    [Fact]
    public async Task CryptoErase_OnAnEncryptedUnit_TurnsTheDataIntoNoise_AndIsReported()
    {
        var device = new Storage.Encryption.EncryptedBlockDevice(ScsiHarness.Memory512n(64), new Storage.Encryption.MemoryKeyStore());
        var harness = new ScsiHarness(device);
        await harness.Fill(0, 64, 0x61);

        // REPORT SUPPORTED OPERATION CODES lists SANITIZE service action 03h for this unit only.
        (await harness.Run(Cdb.ReportSupportedOpcodes(0x02, 0x48, 0x03), dataIn: 64)).AssertGood();

        // SBC-3 5.19: CRYPTOGRAPHIC ERASE takes no parameter list.
        (await harness.Run(Sanitize(0x03, 8), dataOut: new byte[8])).AssertInvalidFieldInCdb(7);
        (await harness.Run(Sanitize(0x03, 0))).AssertGood();

        // WACEREQ 01b: reads after it are GOOD and return what is left, which is not the data.
        var back = await harness.ReadBack(0, 64);
        Assert.Contains(back, b => b != 0x61);
        var vpd = await harness.Run("12 01 B1 00 FF 00", dataIn: 255);
        Assert.Equal(0x50, vpd.Data[7]); // WABEREQ 01b, WACEREQ 01b
    }

    [Fact]
    public async Task WhileSanitizing_OtherCommandsAreNotReady_InquiryRuns()
    {
        // SBC-3 4.11.1: NOT READY, LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS (04h/1Bh), except
        // INQUIRY, REPORT LUNS and REQUEST SENSE. IMMED = 1 answers before the operation ends.
        var gate = new TaskCompletionSource();
        var device = new GatedWriteDevice(new BlockGeometry(512, 512, 64), gate.Task);
        var harness = new ScsiHarness(device);
        var list = OverwriteList(0x01, 0x11);
        (await harness.Run(Sanitize(0x01, (ushort)list.Length, immediate: true), dataOut: list)).AssertGood();
        (await harness.Run(TestUnitReady)).AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadySanitizeInProgress);
        (await harness.Run(Cdb.Read10(0, 1), dataIn: 512)).AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadySanitizeInProgress);
        (await harness.Run("12 00 00 00 60 00", dataIn: 96)).AssertGood();
        gate.SetResult();
        while (harness.Unit.SanitizeInProgress)
        {
            await Task.Delay(5);
        }

        (await harness.Run(TestUnitReady)).AssertGood();
        Assert.All(await harness.ReadBack(0, 64), b => Assert.Equal(0x11, b));
    }

    [Fact]
    public async Task ModeSelectSwp_WriteProtectsTheUnit_AndTellsOtherNexuses()
    {
        // SPC-4 7.5.8 SWP = 1: "the logical unit shall inhibit writes to the medium"; the change raises
        // MODE PARAMETERS CHANGED (2Ah/01h) on every other I_T nexus (SPC-4 7.5.1), not the sender's.
        var harness = new ScsiHarness();
        var other = ScsiHarness.NewNexus("iqn.x:other");
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();

        // MODE SELECT(6), PF = 1: header (4 bytes), Control page with SWP set.
        byte[] list = [0, 0, 0, 0, 0x0A, 0x0A, 0x02, 0x10, 0x08, 0x00, 0, 0, 0, 0, 0, 0];
        (await harness.Run([0x15, 0x10, 0, 0, (byte)list.Length, 0], dataOut: list)).AssertGood();
        (await harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512])).AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
        (await harness.Run(TestUnitReady)).AssertGood();
        (await harness.Run(TestUnitReady, nexus: other)).AssertSense(SenseKey.UnitAttention, AdditionalSense.ModeParametersChanged);

        // MODE SENSE(6), DBD = 1: WP in the DEVICE-SPECIFIC PARAMETER, SWP in the current Control page.
        var sense = await harness.Run("1A 08 0A 00 FF 00", dataIn: 255);
        Assert.Equal(0x90, sense.Data[2]);
        Assert.Equal(0x08, sense.Data[4 + 4]);
        (await harness.Run(Sanitize(0x02, 0))).AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);

        list[8] = 0x00;
        (await harness.Run([0x15, 0x10, 0, 0, (byte)list.Length, 0], dataOut: list)).AssertGood();
        (await harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512])).AssertGood();
    }

    [Fact]
    public async Task ModeSelect_ChangingAnythingButSwp_IsStillRefused()
    {
        var harness = new ScsiHarness();
        byte[] list = [0, 0, 0, 0, 0x0A, 0x0A, 0x02, 0x10, 0x0C, 0x00, 0, 0, 0, 0, 0, 0];
        var reply = await harness.Run([0x15, 0x10, 0, 0, (byte)list.Length, 0], dataOut: list);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
        Assert.False(harness.Unit.SoftwareWriteProtect);
    }

    /// <summary>A memory device whose writes wait for a gate.</summary>
    private sealed class GatedWriteDevice(BlockGeometry geometry, Task gate) : IBlockDevice
    {
        private readonly MemoryBlockDevice _inner = new(geometry);

        public BlockGeometry Geometry => _inner.Geometry;

        public BlockDeviceFeatures Features => _inner.Features;

        public ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default) => _inner.ReadAsync(lba, destination, cancellationToken);

        public async ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
        {
            await gate.WaitAsync(cancellationToken);
            await _inner.WriteAsync(lba, source, options, cancellationToken);
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default) => _inner.UnmapAsync(lba, blockCount, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
