using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>ORWRITE(16), WRITE ATOMIC(16) and READ DEFECT DATA(10/12).</summary>
public sealed class OrWriteAtomicDefectTests
{
    [Fact]
    public async Task OrWrite16_OrsTheDataOutIntoTheBlocks()
    {
        // SBC-3 5.13: BMOP 000b, "perform a bitwise OR operation ... and write the result".
        var harness = new ScsiHarness();
        await harness.Fill(10, 2, 0xA5);
        var data = new byte[1024];
        Array.Fill(data, (byte)0x5A);
        (await harness.Run("8B 00 000000000000000A 00000002 00 00", dataOut: data)).AssertGood();
        Assert.All(await harness.ReadBack(10, 2), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public async Task OrWrite16_OrProtectSet_IsInvalidFieldInCdb()
    {
        // ORPROTECT (byte 1 bits 7..5) needs protection information, which the unit does not have.
        var harness = new ScsiHarness();
        var reply = await harness.Run("8B 20 0000000000000000 00000001 00 00", dataOut: new byte[512]);
        reply.AssertInvalidFieldInCdb(1, 5);
    }

    [Fact]
    public async Task OrWrite16_BeyondTheEnd_IsLbaOutOfRange_ZeroBlocksIsGood()
    {
        var harness = new ScsiHarness();
        (await harness.Run("8B 00 00000000000007FF 00000002 00 00", dataOut: new byte[1024])).AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
        (await harness.Run("8B 00 0000000000000000 00000000 00 00")).AssertGood();
    }

    [Fact]
    public async Task BlockLimits_ReportsMaximumAtomicTransferLength()
    {
        // SBC-4 6.6.4: MAXIMUM ATOMIC TRANSFER LENGTH (bytes 44..47) = 1 MiB of 512-byte blocks;
        // ATOMIC ALIGNMENT and ATOMIC TRANSFER LENGTH GRANULARITY (48..55) zero: no constraint.
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 01 B0 00 FF 00", dataIn: 255);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000800 00000000 00000000 00000000 00000000"), reply.Data[44..64]);
    }

    [Fact]
    public async Task WriteAtomic16_WritesTheBlocks()
    {
        // SBC-4 5.48: TRANSFER LENGTH in bytes 12..13.
        var harness = new ScsiHarness();
        var data = new byte[1024];
        Array.Fill(data, (byte)0x3C);
        (await harness.Run("9C 08 0000000000000004 0000 0002 00 00", dataOut: data)).AssertGood();
        Assert.Equal(data, await harness.ReadBack(4, 2));
    }

    [Fact]
    public async Task WriteAtomic16_Errors()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory512n(4096));

        // Above MAXIMUM ATOMIC TRANSFER LENGTH (2048 blocks): INVALID FIELD IN CDB at TRANSFER LENGTH.
        (await harness.Run("9C 00 0000000000000000 0000 0801 00 00", dataOut: new byte[2049 * 512])).AssertInvalidFieldInCdb(12);

        // Past the end: LBA OUT OF RANGE, even when also above the atomic limit.
        (await harness.Run("9C 00 0000000000000F00 0000 0FFF 00 00")).AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);

        // ATOMIC BOUNDARY (bytes 10..11) with MAXIMUM ATOMIC BOUNDARY SIZE 0; WRPROTECT without protection.
        (await harness.Run("9C 00 0000000000000000 0001 0001 00 00", dataOut: new byte[512])).AssertInvalidFieldInCdb(11, 0);
        (await harness.Run("9C 20 0000000000000000 0000 0001 00 00", dataOut: new byte[512])).AssertInvalidFieldInCdb(1, 5);

        // All or none: a short data-out writes nothing.
        (await harness.Run("9C 00 0000000000000000 0000 0002 00 00", dataOut: new byte[512])).AssertInvalidFieldInCdb(12);
    }

    [Fact]
    public async Task ReadDefectData10_ReturnsAnEmptyList()
    {
        // SBC-3 5.7.2: PLISTV/GLISTV for the lists asked for (REQ_PLIST, REQ_GLIST), the format echoed,
        // DEFECT LIST LENGTH 0.
        var harness = new ScsiHarness();
        var reply = await harness.Run("37 00 1D 00 00 00 00 00 20 00", dataIn: 32);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00 1D 0000"), reply.Data);
    }

    [Fact]
    public async Task ReadDefectData12_ReturnsAnEmptyListWithTheLongHeader()
    {
        // SBC-3 5.8.2: byte 1 flags and format, GENERATION CODE (2..3), DEFECT LIST LENGTH (4..7).
        var harness = new ScsiHarness();
        var reply = await harness.Run("B7 08 00000000 00000020 00 00", dataIn: 32);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00 08 0000 00000000"), reply.Data);
    }

    [Fact]
    public async Task NewCommands_AreListedByReportSupportedOperationCodes()
    {
        // One command table: what runs is what is reported (SPC-4 6.35, REPORTING OPTIONS 001b).
        var harness = new ScsiHarness();
        foreach (var opcode in new byte[] { 0x37, 0x8B, 0x9C, 0xB7 })
        {
            var reply = await harness.Run(Cdb.ReportSupportedOpcodes(0x01, opcode), dataIn: 64);
            reply.AssertGood();
            Assert.Equal(0x03, reply.Data[1] & 0x07); // SUPPORT 011b: supported as in the standard
        }
    }

    [Fact]
    public async Task WriteAtomic16_OnAReadOnlyUnit_IsWriteProtected()
    {
        var harness = new ScsiHarness(new MemoryBlockDevice(new BlockGeometry(512, 512, 64)), new LogicalUnitOptions { ReadOnly = true });
        (await harness.Run("9C 00 0000000000000000 0000 0001 00 00", dataOut: new byte[512])).AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
        (await harness.Run("8B 00 0000000000000000 00000001 00 00", dataOut: new byte[512])).AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
    }
}
