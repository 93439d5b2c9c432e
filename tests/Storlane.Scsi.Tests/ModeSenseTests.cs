using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

public sealed class ModeSenseTests
{
    // Caching page 08h (SBC-3 6.4.5) with WCE clear, control page 0Ah (SPC-4 7.5.8): GLTSD, QAM 1.
    private const string CachingPage = "08 12 00 00 0000 0000 0000 0000 00 00 0000 00 00 0000";
    private const string CachingPageWce = "08 12 04 00 0000 0000 0000 0000 00 00 0000 00 00 0000";
    private const string ControlPage = "0A 0A 02 10 00 00 0000 0000 0000";

    [Fact]
    public async Task ModeSense6_AllPages_GoldenHeaderDescriptorAndPages()
    {
        // SPC-4 7.5.5: MODE DATA LENGTH 2Bh, DEVICE-SPECIFIC PARAMETER 10h (DPOFUA), BLOCK DESCRIPTOR
        // LENGTH 8; SBC-3 6.4.2 short block descriptor: 2048 blocks of 512 bytes; pages ascending.
        var harness = new ScsiHarness();
        var reply = await harness.Run("1A 00 3F 00 FF 00", dataIn: 255);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("2B 00 10 08" + "00000800 00 000200" + CachingPage + ControlPage), reply.Data);
    }

    [Fact]
    public async Task ModeSense6_Dbd_OmitsBlockDescriptor()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("1A 08 0A 00 FF 00", dataIn: 255);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("0F 00 10 00" + ControlPage), reply.Data);
    }

    [Fact]
    public async Task ModeSense6_CachingPage_WceReflectsVolatileWriteCache()
    {
        // SBC-3 6.4.5: WCE = 1 when the device may keep completed writes in a volatile cache.
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 64), BlockDeviceFeatures.VolatileWriteCache);
        var harness = new ScsiHarness(device);
        var reply = await harness.Run("1A 08 08 00 FF 00", dataIn: 255);
        Assert.Equal(Hex.Bytes("17 00 10 00" + CachingPageWce), reply.Data);
    }

    [Fact]
    public async Task ModeSense6_ReadOnlyLun_SetsWpInDeviceSpecificParameter()
    {
        // SBC-3 6.4.1: WP bit (bit 7) of the DEVICE-SPECIFIC PARAMETER for a write-protected medium.
        var harness = new ScsiHarness(options: new LogicalUnitOptions { ReadOnly = true });
        var reply = await harness.Run("1A 08 3F 00 04 00", dataIn: 4);
        Assert.Equal(0x90, reply.Data[2]);
    }

    [Fact]
    public async Task ModeSense6_AllocationLength4_IsNotAnOverflow()
    {
        // libiscsi test_modesense6_residuals: allocation length 4 returns at most 4 bytes and no overflow,
        // so DataInLength is min(allocation length, available) = 4.
        var harness = new ScsiHarness();
        var reply = await harness.Run("1A 00 3F 00 04 00", dataIn: 4);
        reply.AssertGood();
        Assert.Equal(4, reply.Result.DataInLength);
        Assert.Equal(Hex.Bytes("2B 00 10 08"), reply.Data);
    }

    [Fact]
    public async Task ModeSense6_SavedValues_IsSavingParametersNotSupported()
    {
        // SPC-4 6.11.1: PC = 11b without saved pages -> ILLEGAL REQUEST, SAVING PARAMETERS NOT SUPPORTED.
        var harness = new ScsiHarness();
        var reply = await harness.Run("1A 00 FF 00 FF 00", dataIn: 255);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.SavingParametersNotSupported);
        Assert.Equal(Hex.Bytes("CF 00 02"), reply.Sense[15..18]);
    }

    [Fact]
    public async Task ModeSense6_ChangeableValues_OnlySoftwareWriteProtect()
    {
        // SPC-4 7.5.8: SWP (Control page byte 4 bit 3) is the one changeable bit.
        var harness = new ScsiHarness(new RecordingBlockDevice(new BlockGeometry(512, 512, 64), BlockDeviceFeatures.VolatileWriteCache));
        var reply = await harness.Run("1A 08 7F 00 FF 00", dataIn: 255);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("23 00 10 00" + CachingPage + "0A 0A 00 00 08 00 0000 0000 0000"), reply.Data);
    }

    [Fact]
    public async Task ModeSense6_DefaultValues_EqualCurrent()
    {
        var harness = new ScsiHarness();
        var current = await harness.Run("1A 00 3F 00 FF 00", dataIn: 255);
        var defaults = await harness.Run("1A 00 BF 00 FF 00", dataIn: 255);
        Assert.Equal(current.Data, defaults.Data);
    }

    [Fact]
    public async Task ModeSense6_UnsupportedPage_IsInvalidFieldInPageCode()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("1A 00 1C 00 FF 00", dataIn: 255);
        reply.AssertInvalidFieldInCdb(2, 5);
    }

    [Fact]
    public async Task ModeSense6_UnsupportedSubpage_IsInvalidFieldAtByte3()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("1A 00 0A 01 FF 00", dataIn: 255);
        reply.AssertInvalidFieldInCdb(3);
    }

    [Fact]
    public async Task ModeSense6_AllSubpages_ReturnsThePagesWithoutSubpages()
    {
        var harness = new ScsiHarness();
        var all = await harness.Run("1A 08 3F 00 FF 00", dataIn: 255);
        var withSubpages = await harness.Run("1A 08 3F FF FF 00", dataIn: 255);
        Assert.Equal(all.Data, withSubpages.Data);
    }

    [Fact]
    public async Task ModeSense10_Llbaa_ReturnsLongLbaBlockDescriptor()
    {
        // SPC-4 7.5.5 / SBC-3 6.4.2.3: LONGLBA = 1, BLOCK DESCRIPTOR LENGTH 16, 8-byte block count.
        var harness = new ScsiHarness();
        var reply = await harness.Run("5A 10 0A 00 00 00 00 00 FF 00", dataIn: 255);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("0022 00 10 01 00 0010" + "0000000000000800 00000000 00000200" + ControlPage), reply.Data);
    }

    [Fact]
    public async Task ModeSense10_WithoutLlbaa_ReturnsShortDescriptor()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("5A 00 08 00 00 00 00 00 FF 00", dataIn: 255);
        Assert.Equal(Hex.Bytes("0022 00 10 00 00 0008" + "00000800 00 000200" + CachingPage), reply.Data);
    }

    [Fact]
    public async Task ModeSense6_HugeCapacity_BlockCountIsFFFFFFFF()
    {
        // SBC-3 6.4.2.2: a block count that does not fit in 32 bits is reported as FFFFFFFFh.
        var harness = new ScsiHarness(new MemoryBlockDevice(new BlockGeometry(512, 512, 0x1_0000_0000)));
        var reply = await harness.Run("1A 00 0A 00 FF 00", dataIn: 255);
        Assert.Equal(Hex.Bytes("FFFFFFFF 00 000200"), reply.Data[4..12]);
    }

    [Fact]
    public async Task ModeSelect6_RestatingCurrentValues_IsAccepted()
    {
        var harness = new ScsiHarness();
        var parameters = Hex.Bytes("00 00 00 08" + "00000800 00 000200" + ControlPage);
        var reply = await harness.Run($"15 10 00 00 {parameters.Length:X2} 00", dataOut: parameters);
        reply.AssertGood();
        Assert.Equal(parameters.Length, reply.Result.DataOutLength);
    }

    [Fact]
    public async Task ModeSelect6_ChangingWce_IsInvalidFieldInParameterList()
    {
        // SPC-4 6.9: values outside what the unit supports -> INVALID FIELD IN PARAMETER LIST; the
        // field pointer (C/D = 0) names byte 6 bit 2: the WCE bit of the caching page after the header.
        var harness = new ScsiHarness();
        var parameters = Hex.Bytes("00 00 00 00" + CachingPageWce);
        var reply = await harness.Run($"15 10 00 00 {parameters.Length:X2} 00", dataOut: parameters);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
        Assert.Equal(Hex.Bytes("8A 00 06"), reply.Sense[15..18]);
    }

    [Fact]
    public async Task ModeSelect6_SavePages_IsInvalidFieldInCdb()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("15 11 00 00 00 00");
        reply.AssertInvalidFieldInCdb(1, 0);
    }

    [Fact]
    public async Task ModeSelect10_ParameterListShorterThanHeader_IsParameterListLengthError()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("55 10 00 00 00 00 00 00 04 00", dataOut: new byte[4]);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);
    }

    [Fact]
    public async Task ModeSelect6_ChangingBlockLength_IsInvalidFieldInParameterList()
    {
        var harness = new ScsiHarness();
        var parameters = Hex.Bytes("00 00 00 08" + "00000000 00 001000");
        var reply = await harness.Run($"15 10 00 00 {parameters.Length:X2} 00", dataOut: parameters);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
    }
}
