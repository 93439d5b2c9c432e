using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>
/// Lost Data-Out at ErrorRecoveryLevel 0 (RFC 7143 7.8): a DataSN gap means an earlier data PDU was
/// lost to a digest error (7.8.2), and a payload digest error on a Data-Out is rejected and its
/// data discarded (7.8.1). Either way the task ends, once the initiator has sent all its data, with
/// CHECK CONDITION and the iSCSI condition "protocol service CRC error" (ABORTED COMMAND, 47h/05h,
/// 11.4.7.2); none of the write reaches the LU and the session carries on.
/// </summary>
public sealed class DataOutErrorTests
{
    private const byte AbortedCommand = 0x0B;
    private const byte ProtocolServiceCrcAsc = 0x47;

    [Theory]
    [InlineData(new uint[] { 0, 0 })]   // the second PDU repeats DataSN 0
    [InlineData(new uint[] { 1, 0 })]   // reversed
    [InlineData(new uint[] { 27 })]     // a single PDU that should be 0
    [InlineData(new uint[] { 0xFFFFFFFF })]
    public async Task UnsolicitedDataOut_WithADataSNGap_EndsTheTaskWithProtocolServiceCrcError(uint[] dataSNs)
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync(0, ("InitialR2T", "No"), ("ImmediateData", "No"), ("FirstBurstLength", "65536"));
        var blocks = dataSNs.Length;
        var header = client.ScsiCommandHeader(ScsiCdb.Write10(40, (ushort)blocks).ToArray(), 0, (uint)(512 * blocks), read: false, write: true, final: false);
        var itt = new Bhs(header).InitiatorTaskTag;
        await client.SendAsync(header);
        for (var i = 0; i < blocks; i++)
        {
            await SendDataOutAsync(client, itt, Bhs.ReservedTag, dataSNs[i], offset: 512 * i, final: i == blocks - 1, fill: 0x77);
        }

        await AssertProtocolServiceCrcErrorAsync(client);
        await AssertSessionServesAndBlocksUntouchedAsync(client, 40, blocks);
    }

    [Fact]
    public async Task SolicitedDataOut_WithADataSNGap_WaitsForTheFinalPdu_ThenEndsWithProtocolServiceCrcError()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync(0, ("InitialR2T", "Yes"), ("ImmediateData", "No"));
        var header = client.ScsiCommandHeader(ScsiCdb.Write10(60, 3).ToArray(), 0, 3 * 512, read: false, write: true);
        var itt = new Bhs(header).InitiatorTaskTag;
        await client.SendAsync(header);
        var ttt = new Bhs((await client.ExpectAsync(Opcode.ReadyToTransfer)).Header).TargetTransferTag;

        // DataSN 0 then 2: PDU 1 was lost. No answer may come before the F bit (7.8.1 b).
        await SendDataOutAsync(client, itt, ttt, 0, offset: 0, final: false, fill: 0x33);
        await SendDataOutAsync(client, itt, ttt, 2, offset: 512, final: false, fill: 0x33);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReceiveAsync(TimeSpan.FromMilliseconds(300)));
        await SendDataOutAsync(client, itt, ttt, 3, offset: 1024, final: true, fill: 0x33);

        await AssertProtocolServiceCrcErrorAsync(client);
        await AssertSessionServesAndBlocksUntouchedAsync(client, 60, 3);
    }

    [Fact]
    public async Task DataOutWithADataDigestError_IsRejected_AndTheTaskEndsWithProtocolServiceCrcError()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync(0, ("HeaderDigest", "CRC32C"), ("DataDigest", "CRC32C"), ("InitialR2T", "Yes"), ("ImmediateData", "No"));
        var header = client.ScsiCommandHeader(ScsiCdb.Write10(80, 1).ToArray(), 0, 512, read: false, write: true);
        var itt = new Bhs(header).InitiatorTaskTag;
        await client.SendAsync(header);
        var ttt = new Bhs((await client.ExpectAsync(Opcode.ReadyToTransfer)).Header).TargetTransferTag;

        var raw = DigestedDataOut(client, itt, ttt);
        raw[48 + 4 + 100] ^= 0xFF; // corrupt a data byte after the digest was computed
        await client.SendRawAsync(raw);

        var reject = await client.ExpectAsync(Opcode.Reject);
        Assert.Equal((byte)RejectReason.DataDigestError, new Bhs(reject.Header).Byte2);
        await AssertProtocolServiceCrcErrorAsync(client);
        await AssertSessionServesAndBlocksUntouchedAsync(client, 80, 1);
    }

    private static async Task SendDataOutAsync(PduClient client, uint itt, uint ttt, uint dataSN, int offset, bool final, byte fill)
    {
        var header = new byte[Bhs.Length];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.DataOut);
        bhs.Final = final;
        bhs.InitiatorTaskTag = itt;
        bhs.TargetTransferTag = ttt;
        bhs.ExpStatSN = client.ExpStatSN;
        bhs.DataSN = dataSN;
        bhs.BufferOffset = (uint)offset;
        var data = new byte[512];
        Array.Fill(data, fill);
        await client.SendAsync(header, data);
    }

    private static byte[] DigestedDataOut(PduClient client, uint itt, uint ttt)
    {
        var header = new byte[Bhs.Length];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.DataOut);
        bhs.Final = true;
        bhs.InitiatorTaskTag = itt;
        bhs.TargetTransferTag = ttt;
        bhs.ExpStatSN = client.ExpStatSN;
        var data = new byte[512];
        Array.Fill(data, (byte)0x5A);
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        var span = PduWriter.Begin(writer, data.Length, true, true);
        header.CopyTo(span);
        PduWriter.Finish(writer, span, data, true, true);
        return writer.WrittenSpan.ToArray();
    }

    private static async Task AssertProtocolServiceCrcErrorAsync(PduClient client)
    {
        var response = await client.ExpectAsync(Opcode.ScsiResponse);
        var result = CommandResult.From(response, []);
        Assert.Equal(0x02, result.Status); // CHECK CONDITION
        Assert.Equal((AbortedCommand, ProtocolServiceCrcAsc), (result.SenseKey, result.Asc));
        Assert.Equal(0x05, result.Sense[13]);
    }

    private static async Task AssertSessionServesAndBlocksUntouchedAsync(PduClient client, uint lba, int blocks)
    {
        var read = await client.ReadAsync(ScsiCdb.Read10(lba, (ushort)blocks).ToArray(), 0, (uint)(512 * blocks));
        Assert.Equal(0, read.Status);
        Assert.All(read.Data, b => Assert.Equal(0, b));
    }
}
