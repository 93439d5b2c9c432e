using System.Buffers.Binary;
using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

public sealed class ReportSupportedOperationCodesTests
{
    /// <summary>(opcode, service action or null, CDB length) of each command descriptor in an "all commands" reply.</summary>
    private static List<(byte Opcode, ushort? ServiceAction, int CdbLength)> ParseAll(byte[] data, bool timeouts)
    {
        var list = new List<(byte, ushort?, int)>();
        var length = BinaryPrimitives.ReadUInt32BigEndian(data);
        Assert.Equal(data.Length - 4, (int)length);
        for (var offset = 4; offset < data.Length; offset += timeouts ? 20 : 8)
        {
            var flags = data[offset + 5];
            Assert.Equal(timeouts, (flags & 0x02) != 0);
            var serviceAction = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 2));
            list.Add((data[offset], (flags & 0x01) != 0 ? serviceAction : null, BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 6))));
            if (timeouts)
            {
                Assert.Equal(0x000A, BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 8)));
            }
        }

        return list;
    }

    [Fact]
    public async Task ReportSupportedOpcodes_ListsEveryDispatchedCommand()
    {
        // SPC-4 6.35.2: one descriptor per supported command. The reply comes from the dispatch table,
        // so each listed command must dispatch (not INVALID COMMAND OPERATION CODE), and every opcode
        // that is not listed must be refused as INVALID COMMAND OPERATION CODE.
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.ReportSupportedOpcodes(0), dataIn: 4096);
        reply.AssertGood();
        var listed = ParseAll(reply.Data, timeouts: false);
        Assert.Equal(CommandTable.All.Where(c => c.IsSupportedBy(harness.Unit)).Select(c => (c.Opcode, c.ServiceAction is { } sa ? (ushort?)sa : null, c.CdbLength)), listed);
        Assert.Contains(listed, c => c is { Opcode: 0x88, CdbLength: 16 });
        Assert.Contains(listed, c => c is { Opcode: 0x9E, ServiceAction: 0x10 });

        var opcodes = listed.Select(c => c.Opcode).ToHashSet();
        for (var opcode = 0; opcode < 256; opcode++)
        {
            var cdb = new byte[16];
            cdb[0] = (byte)opcode;
            var result = await harness.Run(cdb, dataIn: 512, dataOut: new byte[512]);
            var refused = result.Result.Status == ScsiStatus.CheckCondition
                && (AdditionalSense)((result.Sense[12] << 8) | result.Sense[13]) == AdditionalSense.InvalidCommandOperationCode;
            Assert.True(refused != opcodes.Contains((byte)opcode), $"opcode {opcode:X2}h listed={opcodes.Contains((byte)opcode)} refused={refused}");
        }
    }

    [Fact]
    public async Task ReportSupportedOpcodes_Rctd_AddsTimeoutsDescriptorToEveryCommand()
    {
        // SPC-4 6.35.2: RCTD = 1 -> CTDP = 1 and a 12-byte command timeouts descriptor (length 0Ah).
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.ReportSupportedOpcodes(0, timeouts: true), dataIn: 4096);
        reply.AssertGood();
        Assert.Equal(CommandTable.All.Count(c => c.IsSupportedBy(harness.Unit)), ParseAll(reply.Data, timeouts: true).Count);
    }

    [Fact]
    public async Task ReportSupportedOpcodes_OneCommand_Read10UsageData()
    {
        // SPC-4 6.35.3: SUPPORT 011b, CDB SIZE 10, CDB USAGE DATA: RDPROTECT unsupported, DPO/FUA/FUA_NV
        // used (libiscsi test_read10_dpofua checks byte 1 & 18h), group number, control byte unused.
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.ReportSupportedOpcodes(1, opcode: 0x28), dataIn: 4096);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00 03 000A 28 1A FFFFFFFF 1F FFFF 00"), reply.Data);
    }

    [Fact]
    public async Task ReportSupportedOpcodes_OneCommandWithTimeouts_AppendsDescriptor()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.ReportSupportedOpcodes(1, opcode: 0x00, timeouts: true), dataIn: 4096);
        Assert.Equal(Hex.Bytes("00 83 0006 00 00 00 00 00 00" + "000A 00 00 00000000 0000001E"), reply.Data);
    }

    [Fact]
    public async Task ReportSupportedOpcodes_UnsupportedOpcode_ReportsSupport001()
    {
        // SPC-4 6.35.3: SUPPORT 001b "not supported", no usage data.
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.ReportSupportedOpcodes(1, opcode: 0x04), dataIn: 4096);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00 01 0000"), reply.Data);
    }

    [Fact]
    public async Task ReportSupportedOpcodes_Option1ForOpcodeWithServiceActions_IsInvalidField()
    {
        // SPC-4 6.35.1: reporting option 001b and an opcode with service actions -> INVALID FIELD IN CDB.
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.ReportSupportedOpcodes(1, opcode: 0x9E), dataIn: 4096);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
    }

    [Fact]
    public async Task ReportSupportedOpcodes_Option2ForOpcodeWithoutServiceActions_IsInvalidField()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.ReportSupportedOpcodes(2, opcode: 0x28), dataIn: 4096);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
    }

    [Fact]
    public async Task ReportSupportedOpcodes_Option2_ReadCapacity16()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.ReportSupportedOpcodes(2, opcode: 0x9E, serviceAction: 0x10), dataIn: 4096);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00 03 0010 9E 10 FFFFFFFFFFFFFFFF FFFFFFFF 01 00"), reply.Data);
    }

    [Fact]
    public async Task ReportSupportedOpcodes_Option3_HandlesBothKinds()
    {
        var harness = new ScsiHarness();
        var withAction = await harness.Run(Cdb.ReportSupportedOpcodes(3, opcode: 0xA3, serviceAction: 0x0C), dataIn: 4096);
        Assert.Equal(Hex.Bytes("00 03 000C A3 0C 87 FF FFFF FFFFFFFF 00 00"), withAction.Data);
        var without = await harness.Run(Cdb.ReportSupportedOpcodes(3, opcode: 0x2A, serviceAction: 0x55), dataIn: 4096);
        Assert.Equal(0x2A, without.Data[4]);
    }

    [Fact]
    public async Task ReportSupportedOpcodes_ReportingOption4_IsInvalidField()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run(Cdb.ReportSupportedOpcodes(4), dataIn: 4096);
        reply.AssertInvalidFieldInCdb(2, 2);
    }

    [Fact]
    public async Task ReportSupportedOpcodes_DeviceWithoutUnmap_NeitherListsNorDispatchesUnmap()
    {
        var harness = new ScsiHarness(new MemoryBlockDevice(new BlockGeometry(512, 512, 64), BlockDeviceFeatures.None));
        var reply = await harness.Run(Cdb.ReportSupportedOpcodes(0), dataIn: 4096);
        Assert.DoesNotContain(ParseAll(reply.Data, timeouts: false), c => c.Opcode == 0x42);
        var one = await harness.Run(Cdb.ReportSupportedOpcodes(1, opcode: 0x42), dataIn: 4096);
        Assert.Equal(Hex.Bytes("00 01 0000"), one.Data);
        var unmap = await harness.Run(Cdb.Unmap(24), dataOut: Cdb.UnmapList((0, 1)));
        unmap.AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode);
    }

    [Fact]
    public async Task ReportSupportedOpcodes_UsageDataMatchesWhatDispatchAccepts()
    {
        // For each command: setting any bit outside its CDB USAGE DATA is INVALID FIELD IN CDB. A
        // removable unit, so PREVENT ALLOW MEDIUM REMOVAL is among them.
        var harness = new ScsiHarness(options: new LogicalUnitOptions { Removable = true });
        foreach (var command in CommandTable.All)
        {
            // A service action this unit lacks (CRYPTOGRAPHIC ERASE on an unencrypted one) is refused
            // at its SERVICE ACTION field before any other bit is looked at.
            if (!command.IsSupportedBy(harness.Unit))
            {
                continue;
            }

            for (var i = 1; i < command.CdbLength; i++)
            {
                var unused = ~command.UsageData[i] & 0xFF;
                if (i == 1 && command.ServiceAction.HasValue)
                {
                    unused &= 0xE0;
                }

                if (unused == 0)
                {
                    continue;
                }

                var cdb = new byte[16];
                command.UsageData.CopyTo(cdb, 0);
                Array.Clear(cdb, 2, 14);
                if (command.ServiceAction.HasValue)
                {
                    cdb[1] = command.ServiceAction.Value;
                }
                else
                {
                    cdb[1] = 0;
                }

                var bit = 31 - int.LeadingZeroCount(unused);
                cdb[i] |= (byte)(1 << bit);
                var reply = await harness.Run(cdb, dataIn: 64);
                Assert.True(reply.Result.Status == ScsiStatus.CheckCondition, $"{command.Name} byte {i} bit {bit}");
                reply.AssertInvalidFieldInCdb(i, bit);
            }
        }
    }
}
