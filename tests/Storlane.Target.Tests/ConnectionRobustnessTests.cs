using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>
/// Bad input closes one connection and nothing else: "A protocol error closes one connection,
/// never the process." Other sessions keep working.
/// </summary>
public class ConnectionRobustnessTests
{
    internal static async Task AssertClosedAsync(PduClient client)
    {
        // Drain whatever the target sent (a Reject may come first) until it closes.
        for (var i = 0; i < 10; i++)
        {
            if (await client.ReceiveAsync(TimeSpan.FromSeconds(10)) is null)
            {
                return;
            }
        }

        Assert.Fail("the target kept the connection open");
    }

    private static async Task AssertWorksAsync(PduClient client)
    {
        var result = await client.ReadAsync(ScsiCdb.Inquiry(null, 96).ToArray(), 0, 96);
        Assert.Equal(0, result.Status);
    }

    [Fact]
    public async Task UnknownOpcode_ClosesThatConnectionOnly()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var bystander = await target.LoginAsync();
        await using var offender = await target.LoginAsync();
        var header = new byte[48];
        header[0] = 0x1B; // not an initiator opcode
        header[1] = 0x80;
        await offender.SendAsync(header);

        await AssertClosedAsync(offender);
        await AssertWorksAsync(bystander);
    }

    [Fact]
    public async Task DataSegmentLongerThanNegotiated_ClosesThatConnectionOnly()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var bystander = await target.LoginAsync();
        await using var offender = await target.LoginAsync();

        // The target declared MaxRecvDataSegmentLength; send 1 MiB + 4 of NOP-Out data.
        var header = new byte[48];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.NopOut, immediate: true);
        bhs.Final = true;
        bhs.InitiatorTaskTag = 77;
        bhs.TargetTransferTag = Bhs.ReservedTag;
        await offender.SendAsync(header, new byte[(1 << 20) + 4]);

        await AssertClosedAsync(offender);
        await AssertWorksAsync(bystander);
    }

    [Fact]
    public async Task TruncatedHeader_ThenClose_EndsOnlyThatConnection()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var bystander = await target.LoginAsync();
        var offender = PduClient.Connect(target.Server);
        await offender.SendRawAsync(new byte[20]);
        await offender.CloseAsync();
        await offender.Connection.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        await AssertWorksAsync(bystander);
    }

    [Fact]
    public async Task ScsiCommandBeforeLogin_ClosesTheConnection()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var offender = PduClient.Connect(target.Server);
        await offender.SendAsync(offender.ScsiCommandHeader(ScsiCdb.TestUnitReady().ToArray(), 0, 0, false, false));
        await AssertClosedAsync(offender);
    }

    [Fact]
    public async Task DataDigestError_IsRejectedAndNeverReachesTheLun()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync(0, ("HeaderDigest", "CRC32C"), ("DataDigest", "CRC32C"), ("ImmediateData", "Yes"));
        Assert.True(client.DataDigest);

        // Write 512 bytes as immediate data, then corrupt one data byte after the digest was computed.
        var header = client.ScsiCommandHeader(ScsiCdb.Write10(5, 1).ToArray(), 0, 512, read: false, write: true);
        var data = new byte[512];
        Array.Fill(data, (byte)0x5A);
        var raw = BuildWithDigests(header, data);
        raw[48 + 4 + 10] ^= 0xFF;
        await client.SendRawAsync(raw);

        // RFC 7143 7.8: Reject with reason Data-Digest-Error (0x02).
        var reject = await client.ExpectAsync(Opcode.Reject);
        Assert.Equal((byte)RejectReason.DataDigestError, new Bhs(reject.Header).Byte2);

        await using var reader = await target.LoginAsync();
        var read = await reader.ReadAsync(ScsiCdb.Read10(5, 1).ToArray(), 0, 512);
        Assert.All(read.Data, b => Assert.Equal(0, b));
    }

    private static byte[] BuildWithDigests(byte[] header, byte[] data)
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        var span = PduWriter.Begin(writer, data.Length, true, true);
        header.CopyTo(span);
        PduWriter.Finish(writer, span, data, true, true);
        return writer.WrittenSpan.ToArray();
    }
}
