using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>Full-feature data movement: Data-In, R2T, immediate and unsolicited data (RFC 7143 11.3-11.8).</summary>
public class DataTransferTests
{
    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact]
    public async Task WriteThroughR2T_ThenRead_ReturnsTheSameBytes()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync(0, ("InitialR2T", "Yes"), ("ImmediateData", "No"), ("MaxRecvDataSegmentLength", "8192"));
        var data = Pattern(64 * 1024, 1);

        var write = await client.WriteAsync(ScsiCdb.Write10(100, 128).ToArray(), 0, data, immediateLength: 0);
        Assert.Equal(0, write.Status);

        var read = await client.ReadAsync(ScsiCdb.Read10(100, 128).ToArray(), 0, (uint)data.Length);
        Assert.Equal(0, read.Status);
        Assert.Equal(data, read.Data);
    }

    [Fact]
    public async Task ImmediateAndUnsolicitedData_UpToFirstBurst_NeedNoR2T()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync(0, ("InitialR2T", "No"), ("ImmediateData", "Yes"), ("FirstBurstLength", "65536"));
        var data = Pattern(32 * 1024, 2);

        // 8 KiB immediate, then 24 KiB unsolicited Data-Out (TTT 0xffffffff), F=0 on the command.
        var header = client.ScsiCommandHeader(ScsiCdb.Write10(0, 64).ToArray(), 0, (uint)data.Length, read: false, write: true, final: false);
        var itt = new Bhs(header).InitiatorTaskTag;
        await client.SendAsync(header, data.AsMemory(0, 8192));
        await client.SendDataOutAsync(itt, Bhs.ReservedTag, data, 8192, data.Length - 8192, 8192);
        var response = await client.ExpectAsync(Opcode.ScsiResponse);
        Assert.Equal(0, new Bhs(response.Header).Byte3);

        var read = await client.ReadAsync(ScsiCdb.Read10(0, 64).ToArray(), 0, (uint)data.Length);
        Assert.Equal(data, read.Data);
    }

    [Fact]
    public async Task LargeRead_IsSplitByMaxRecvDataSegmentLength_WithStatusInTheLastDataIn()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync(0, ("MaxRecvDataSegmentLength", "4096"));
        var data = Pattern(16 * 1024, 3);
        await client.WriteAsync(ScsiCdb.Write10(8, 32).ToArray(), 0, data, immediateLength: 4096, maxSegment: 4096);

        await client.SendAsync(client.ScsiCommandHeader(ScsiCdb.Read10(8, 32).ToArray(), 0, (uint)data.Length, read: true, write: false));
        var pdus = new List<ReceivedPdu>();
        while (true)
        {
            var pdu = await client.ExpectAsync(Opcode.DataIn);
            pdus.Add(pdu);
            if ((new Bhs(pdu.Header).Flags & 0x01) != 0)
            {
                break;
            }
        }

        // RFC 7143 11.7: four PDUs of 4096 bytes, DataSN 0..3, S and F only on the last.
        Assert.Equal(4, pdus.Count);
        for (var i = 0; i < pdus.Count; i++)
        {
            var bhs = new Bhs(pdus[i].Header);
            Assert.Equal((uint)i, bhs.DataSN);
            Assert.Equal((uint)(i * 4096), bhs.BufferOffset);
            Assert.Equal(4096, pdus[i].Data.Length);
            Assert.Equal(i == 3, (bhs.Flags & 0x01) != 0);
        }
    }

    [Fact]
    public async Task ReadShorterThanExpected_ReportsResidualUnderflow()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync();

        // READ(10) of 1 block (512 bytes) with EDTL 1024: U bit, residual 512 (11.4.5.2).
        var result = await client.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 1024);
        Assert.Equal(0, result.Status);
        Assert.Equal(512, result.Data.Length);
        Assert.NotEqual(0, result.Flags & (byte)ScsiResponseFlags.ResidualUnderflow);
        Assert.Equal(512u, result.Residual);
    }

    [Fact]
    public async Task ReadLongerThanExpected_ReportsResidualOverflow()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync();

        // READ(10) of 4 blocks (2048 bytes) with EDTL 1024: O bit, residual 1024.
        var result = await client.ReadAsync(ScsiCdb.Read10(0, 4).ToArray(), 0, 1024);
        Assert.Equal(1024, result.Data.Length);
        Assert.NotEqual(0, result.Flags & (byte)ScsiResponseFlags.ResidualOverflow);
        Assert.Equal(1024u, result.Residual);
    }

    [Fact]
    public async Task FourKLun_ReadBeyondCapacity_IsCheckConditionLbaOutOfRange()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync();

        // LUN 1 is 64 MiB of 4096-byte blocks: the last LBA is 16383.
        var result = await client.ReadAsync(ScsiCdb.Read10(16384, 1).ToArray(), 1, 4096);
        Assert.Equal(0x02, result.Status);
        Assert.Equal(0x05, result.SenseKey);
        Assert.Equal(0x21, result.Asc);
    }
}
