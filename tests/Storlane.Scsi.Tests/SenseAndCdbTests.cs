using Storlane.Protocol.Scsi;

namespace Storlane.Scsi.Tests;

public sealed class SenseAndCdbTests
{
    [Fact]
    public void FixedSense_WithFieldPointer_IsSpc4Layout()
    {
        // SPC-4 4.5.3: 70h, key in byte 2, ADDITIONAL SENSE LENGTH 0Ah, ASC/ASCQ at 12/13, SKSV | C/D |
        // BPV | bit pointer in byte 15, field pointer in 16..17.
        var sense = new byte[18];
        var length = new SenseData(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb, FieldPointer.Cdb(10, 3)).WriteFixed(sense);
        Assert.Equal(18, length);
        Assert.Equal("700005000000000A00000000240000CB000A", Hex.Of(sense));
    }

    [Fact]
    public void FixedSense_WithInformation_SetsValid()
    {
        var sense = new byte[18];
        new SenseData(SenseKey.Miscompare, AdditionalSense.MiscompareDuringVerifyOperation, Information: 0x1234).WriteFixed(sense);
        Assert.Equal("F0000E000012340A000000001D0000000000", Hex.Of(sense));
    }

    [Fact]
    public void DescriptorSense_WithInformationAndFieldPointer_IsSpc4Layout()
    {
        // SPC-4 4.5.2: 72h, key, ASC, ASCQ, ADDITIONAL SENSE LENGTH; information descriptor (00h, 0Ah,
        // VALID) and sense key specific descriptor (02h, 06h).
        var sense = new byte[64];
        var length = new SenseData(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList, FieldPointer.Parameter(6, 2), 7).WriteDescriptor(sense);
        Assert.Equal(28, length);
        Assert.Equal("7205260000000014" + "000A8000" + "0000000000000007" + "02060000" + "8A0006" + "00", Hex.Of(sense.AsSpan(0, length)));
    }

    [Fact]
    public void ScsiException_CarriesTheWireCodes()
    {
        var e = new ScsiException(SenseKey.IllegalRequest, 0x21, 0x00);
        Assert.Equal(AdditionalSense.LbaOutOfRange, e.AdditionalSense);
        Assert.Equal((0x21, 0x00), (e.Asc, e.Ascq));
        Assert.Contains("LbaOutOfRange", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOpcode_IsInvalidCommandOperationCode()
    {
        // SPC-4 4.5.6: an unsupported opcode -> ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (20h/00h).
        var harness = new ScsiHarness();
        var reply = await harness.Run("04 00 00 00 00 00");
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode);
        Assert.Equal(Hex.Bytes("C0 00 00"), reply.Sense[15..18]);
    }

    [Fact]
    public async Task ControlByte_Naca_IsInvalidFieldInCdb()
    {
        // SAM-5 5.2: NACA = 1 is not supported (NormACA = 0): INVALID FIELD IN CDB pointing at the control byte.
        var harness = new ScsiHarness();
        var reply = await harness.Run("00 00 00 00 00 04");
        reply.AssertInvalidFieldInCdb(5, 2);
    }

    [Fact]
    public async Task ReservedBit_InTestUnitReady_IsInvalidFieldWithBitPointer()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("00 00 00 80 00 00");
        reply.AssertInvalidFieldInCdb(3, 7);
    }

    [Fact]
    public async Task CdbShorterThanTheCommand_IsInvalidFieldInCdb()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("28 00 00 00");
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
    }

    [Fact]
    public async Task TestUnitReady_IsGood()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("00 00 00 00 00 00");
        reply.AssertGood();
        Assert.Equal(ScsiResult.Good(), reply.Result);
    }

    [Theory]
    [InlineData("1B 00 00 00 01 00")]
    [InlineData("1B 01 00 00 03 00")]
    [InlineData("1B 00 00 00 20 00")]
    public async Task StartStopUnit_StartAndPowerConditions_AreAccepted(string cdb)
    {
        var device = new RecordingBlockDevice(new Storage.BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        (await harness.Run(cdb)).AssertGood();
        Assert.Equal(0, device.Flushes);
    }

    [Fact]
    public async Task StartStopUnit_Stop_FlushesTheCache()
    {
        // SBC-3 5.25: going to the stopped state writes cached data unless NO_FLUSH is set.
        var device = new RecordingBlockDevice(new Storage.BlockGeometry(512, 512, 64));
        var harness = new ScsiHarness(device);
        (await harness.Run("1B 00 00 00 00 00")).AssertGood();
        Assert.Equal(1, device.Flushes);
        (await harness.Run("1B 00 00 00 04 00")).AssertGood();
        Assert.Equal(1, device.Flushes);
    }

    [Fact]
    public async Task ConcurrentCommands_FromManyNexuses_SeeTheirDataAndOneResetEach()
    {
        // 16 nexuses write and read their own block concurrently while one of them resets the LU: every
        // nexus, the resetting one included (SAM-5 6.3.3), sees exactly one BUS DEVICE RESET FUNCTION
        // OCCURRED, then carries on.
        var harness = new ScsiHarness();
        var nexuses = Enumerable.Range(0, 16).Select(i => ScsiHarness.NewNexus($"iqn.x:host-{i}")).ToArray();
        foreach (var nexus in nexuses)
        {
            (await harness.Run("00 00 00 00 00 00", nexus: nexus)).AssertGood();
        }

        var attentions = new int[nexuses.Length];
        var resetDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Worker(int i)
        {
            var data = new byte[512];
            data.AsSpan().Fill((byte)i);
            for (var round = 0; round < 50; round++)
            {
                if (round == 10 && i == 0)
                {
                    await harness.Target.ResetLogicalUnit(0, nexuses[0]);
                    resetDone.SetResult();
                }
                else if (round == 10)
                {
                    await resetDone.Task;
                }

                var write = await harness.Run(Cdb.Write10((uint)i, 1), dataOut: data, nexus: nexuses[i]);
                if (write.Result.Status == ScsiStatus.CheckCondition)
                {
                    write.AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
                    Interlocked.Increment(ref attentions[i]);
                    continue;
                }

                var back = await harness.Run(Cdb.Read10((uint)i, 1), dataIn: 512, nexus: nexuses[i]);
                if (back.Result.Status == ScsiStatus.CheckCondition)
                {
                    back.AssertSense(SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
                    Interlocked.Increment(ref attentions[i]);
                    continue;
                }

                Assert.Equal(data, back.Data);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, nexuses.Length).Select(i => Task.Run(() => Worker(i))));
        Assert.All(attentions, count => Assert.Equal(1, count));
    }
}
