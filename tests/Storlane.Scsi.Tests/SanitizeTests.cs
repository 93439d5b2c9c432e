using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>SANITIZE (SBC-3 5.19) and the SWP bit of the Control mode page (SPC-4 7.5.8).</summary>
public sealed class SanitizeTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";

    /// <summary>SANITIZE: byte 1 IMMED (7), AUSE (5), SERVICE ACTION (4..0); PARAMETER LIST LENGTH in 7..8.</summary>
    private static byte[] Sanitize(byte serviceAction, ushort listLength, bool immediate = false, bool ause = false) =>
        [0x48, (byte)((immediate ? 0x80 : 0) | (ause ? 0x20 : 0) | serviceAction), 0, 0, 0, 0, 0, (byte)(listLength >> 8), (byte)listLength, 0];

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
    public async Task Overwrite_WritesEveryPass_InvertedEverySecondPass_EachFlushed()
    {
        // SBC-3 5.19.2: OVERWRITE COUNT passes; INVERT = 1: "the initialization pattern shall be
        // inverted between consecutive overwrite passes". 2 chunks of 1 MiB per pass, 3 passes.
        var device = new GatedWriteDevice(new BlockGeometry(512, 512, 4096), Task.CompletedTask);
        var harness = new ScsiHarness(device);
        var list = OverwriteList(0x83, 0x0F);
        (await harness.Run(Sanitize(0x01, (ushort)list.Length), dataOut: list)).AssertGood();
        Assert.Equal(["W 0F", "W 0F", "F", "W F0", "W F0", "F", "W 0F", "W 0F", "F", "F"], device.Log);
        Assert.All(await harness.ReadBack(0, 8), b => Assert.Equal(0x0F, b));
    }

    [Fact]
    public async Task WhileSanitizing_SenseCarriesTheProgress_AndRequestSenseReportsIt()
    {
        // SPC-4 4.5.2.4.4: NOT READY sense data carries the PROGRESS INDICATION (SKSV = 1, a fraction
        // of 65536). 4 chunks: the first is written, the second waits, so a quarter is done.
        var second = new TaskCompletionSource();
        var device = new GatedWriteDevice(new BlockGeometry(512, 512, 8192), index => index == 0 ? Task.CompletedTask : second.Task);
        var harness = new ScsiHarness(device);
        var list = OverwriteList(0x01, 0x22);
        (await harness.Run(Sanitize(0x01, (ushort)list.Length, immediate: true), dataOut: list)).AssertGood();
        await WaitFor(() => harness.Unit.SanitizeProgress == 0x4000);

        var notReady = await harness.Run(TestUnitReady);
        notReady.AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadySanitizeInProgress);
        Assert.Equal(Hex.Bytes("80 40 00"), notReady.Sense[15..18]);

        // REQUEST SENSE (pollable sense data): GOOD, the same condition and progress as parameter data.
        var polled = await harness.Run("03 00 00 00 12 00", dataIn: 18);
        polled.AssertGood();
        Assert.Equal(0x02, polled.Data[2] & 0x0F);
        Assert.Equal(Hex.Bytes("04 1B"), polled.Data[12..14]);
        Assert.Equal(Hex.Bytes("80 40 00"), polled.Data[15..18]);

        // Descriptor format: a sense key specific descriptor (02h) with the same three bytes.
        var descriptor = await harness.Run("03 01 00 00 FF 00", dataIn: 255);
        Assert.Equal(Hex.Bytes("72 02 04 1B 00 00 00 08 02 06 00 00 80 40 00 00"), descriptor.Data[..16]);

        second.SetResult();
        await WaitFor(() => !harness.Unit.SanitizeInProgress);
        (await harness.Run("03 00 00 00 12 00", dataIn: 18)).AssertGood();
    }

    [Fact]
    public async Task AbortingTheCommand_EndsTheWait_NotTheOperation()
    {
        // SBC-3 4.11.1: a sanitize operation continues whatever happens to the command that started
        // it; ABORT TASK (cancellation here) ends the task without status, the unit stays NOT READY.
        var gate = new TaskCompletionSource();
        var device = new GatedWriteDevice(new BlockGeometry(512, 512, 64), gate.Task);
        var harness = new ScsiHarness(device);
        var list = OverwriteList(0x01, 0x33);
        using var abort = new CancellationTokenSource();
        var command = harness.Run(Sanitize(0x01, (ushort)list.Length), dataOut: list, cancellationToken: abort.Token);
        await WaitFor(() => harness.Unit.SanitizeInProgress);
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => command);
        (await harness.Run(TestUnitReady)).AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadySanitizeInProgress);

        gate.SetResult();
        await WaitFor(() => !harness.Unit.SanitizeInProgress);
        Assert.All(await harness.ReadBack(0, 64), b => Assert.Equal(0x33, b));
    }

    [Fact]
    public async Task SanitizeRate_HoldsTheOverwriteAtOrBelowIt()
    {
        // 2 MiB (two passes over 1 MiB) at 8 MiB/s cannot finish in less than 250 ms.
        var harness = new ScsiHarness(ScsiHarness.Memory512n(2048), new LogicalUnitOptions { SanitizeBytesPerSecond = 8 << 20 });
        var list = OverwriteList(0x02, 0x44);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        (await harness.Run(Sanitize(0x01, (ushort)list.Length), dataOut: list)).AssertGood();
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(245));
        Assert.All(await harness.ReadBack(0, 2048), b => Assert.Equal(0x44, b));
    }

    [Fact]
    public async Task InterruptedSanitize_ResumesWhenTheUnitIsAddedAgain_AndItsJournalGoesWhenDone()
    {
        // SBC-3 4.11.1: the operation continues after a power on. The journal is written before any
        // block changes; a target that starts with it there is NOT READY, SANITIZE IN PROGRESS from
        // its first command until the operation, run again from the start, completes.
        using var scratch = new ScratchDirectory();
        var options = new LogicalUnitOptions { SanitizeStatePath = Path.Combine(scratch.Path, "lun.img.sanitize") };
        var stuck = new TaskCompletionSource();
        var before = new ScsiHarness(new GatedWriteDevice(new BlockGeometry(512, 512, 64), stuck.Task), options);
        var list = OverwriteList(0x01, 0x5A);
        (await before.Run(Sanitize(0x01, (ushort)list.Length, immediate: true), dataOut: list)).AssertGood();
        Assert.True(File.Exists(options.SanitizeStatePath));

        // The "restart": a new target over the same journal (the first never finishes).
        var restart = new TaskCompletionSource();
        var after = new ScsiHarness(new GatedWriteDevice(new BlockGeometry(512, 512, 64), restart.Task), options);
        Assert.True(after.Unit.SanitizeInProgress);
        (await after.Run(TestUnitReady)).AssertSense(SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadySanitizeInProgress);

        restart.SetResult();
        await WaitFor(() => !after.Unit.SanitizeInProgress);
        Assert.False(File.Exists(options.SanitizeStatePath));
        Assert.All(await after.ReadBack(0, 64), b => Assert.Equal(0x5A, b));
    }

    [Fact]
    public async Task FailedSanitize_StaysJournaled_AndADamagedJournalKeepsTheUnitOut()
    {
        using var scratch = new ScratchDirectory();
        var options = new LogicalUnitOptions { SanitizeStatePath = Path.Combine(scratch.Path, "lun.img.sanitize") };
        var failing = new RecordingBlockDevice(new BlockGeometry(512, 512, 64)) { Failure = new IOException("disk gone") };
        var harness = new ScsiHarness(failing, options);
        (await harness.Run(Sanitize(0x02, 0))).AssertSense(SenseKey.MediumError, AdditionalSense.SanitizeCommandFailed);

        // Served again (a restart, the disk replaced), the BLOCK ERASE runs again.
        Assert.True(File.Exists(options.SanitizeStatePath));

        await File.WriteAllTextAsync(options.SanitizeStatePath, "not a journal");
        var error = Assert.Throws<InvalidDataException>(() => new ScsiHarness(ScsiHarness.Memory512n(64), options));
        Assert.Contains(options.SanitizeStatePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedWithAuseZero_KeepsTheMediumOut_UntilASanitizeCompletes()
    {
        // SBC-3 5.19.1: after a sanitize operation that failed, medium access is MEDIUM ERROR, SANITIZE
        // COMMAND FAILED; started with AUSE = 0, EXIT FAILURE MODE and a SANITIZE with AUSE = 1 are
        // INVALID FIELD IN CDB, and only a sanitize that completes without error ends the failure.
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64)) { Failure = new IOException("disk gone") };
        var harness = new ScsiHarness(device);
        (await harness.Run(Sanitize(0x02, 0))).AssertSense(SenseKey.MediumError, AdditionalSense.SanitizeCommandFailed);
        Assert.Equal(SanitizeFailure.Restricted, harness.Unit.SanitizeFailure);

        device.Failure = null;
        (await harness.Run(Cdb.Read10(0, 1), dataIn: 512)).AssertSense(SenseKey.MediumError, AdditionalSense.SanitizeCommandFailed);
        (await harness.Run("12 00 00 00 60 00", dataIn: 96)).AssertGood();
        var polled = await harness.Run("03 00 00 00 12 00", dataIn: 18);
        polled.AssertGood();
        Assert.Equal(Hex.Bytes("03"), polled.Data[2..3]);
        Assert.Equal(Hex.Bytes("31 03"), polled.Data[12..14]);

        (await harness.Run(Sanitize(0x1F, 0))).AssertInvalidFieldInCdb(1, 4);
        (await harness.Run(Sanitize(0x02, 0, ause: true))).AssertInvalidFieldInCdb(1, 5);

        (await harness.Run(Sanitize(0x02, 0))).AssertGood();
        Assert.Equal(SanitizeFailure.None, harness.Unit.SanitizeFailure);
        (await harness.Run(Cdb.Read10(0, 1), dataIn: 512)).AssertGood();
    }

    [Fact]
    public async Task FailedWithAuseOne_EndsWithExitFailureMode_AndItsJournalGoes()
    {
        using var scratch = new ScratchDirectory();
        var options = new LogicalUnitOptions { SanitizeStatePath = Path.Combine(scratch.Path, "lun.img.sanitize") };
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64)) { Failure = new IOException("disk gone") };
        var harness = new ScsiHarness(device, options);
        (await harness.Run(Sanitize(0x02, 0, ause: true))).AssertSense(SenseKey.MediumError, AdditionalSense.SanitizeCommandFailed);
        Assert.Equal(SanitizeFailure.Unrestricted, harness.Unit.SanitizeFailure);
        Assert.True(File.Exists(options.SanitizeStatePath));

        device.Failure = null;
        (await harness.Run(Sanitize(0x1F, 0))).AssertGood();
        Assert.False(File.Exists(options.SanitizeStatePath));
        (await harness.Run(Cdb.Read10(0, 1), dataIn: 512)).AssertGood();
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(5);
        }
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
    /// <summary>
    /// A memory device whose writes wait for <paramref name="gate"/> (given the write's index) and
    /// which logs every write's first byte ("W 0F") and every flush ("F").
    /// </summary>
    private sealed class GatedWriteDevice(BlockGeometry geometry, Func<int, Task> gate) : IBlockDevice
    {
        private readonly MemoryBlockDevice _inner = new(geometry);
        private int _writes;

        public GatedWriteDevice(BlockGeometry geometry, Task gate)
            : this(geometry, _ => gate)
        {
        }

        public List<string> Log { get; } = [];

        public BlockGeometry Geometry => _inner.Geometry;

        public BlockDeviceFeatures Features => _inner.Features;

        public ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default) => _inner.ReadAsync(lba, destination, cancellationToken);

        public async ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
        {
            await gate(Interlocked.Increment(ref _writes) - 1).WaitAsync(cancellationToken);
            lock (Log)
            {
                Log.Add($"W {source.Span[0]:X2}");
            }

            await _inner.WriteAsync(lba, source, options, cancellationToken);
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default)
        {
            lock (Log)
            {
                Log.Add("F");
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default) => _inner.UnmapAsync(lba, blockCount, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A temporary folder for a journal, removed with everything in it.</summary>
    private sealed class ScratchDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("storlane-sanitize-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
