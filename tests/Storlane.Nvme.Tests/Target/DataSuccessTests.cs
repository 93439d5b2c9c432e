using System.Buffers.Binary;
using Storlane.Nvme.Tcp;
using Storlane.Nvme.Tests.Support;

namespace Storlane.Nvme.Tests.Target;

/// <summary>
/// The C2HData SUCCESS flag (NVMe/TCP 1.0, 3.6.2.8): on a queue whose host disabled SQ flow control
/// (Connect CATTR bit 2, Fabrics 1.1, 3.3.1), the last C2HData of a read that completed with plain
/// success carries SUCCESS and no CapsuleResp follows; with SQ flow control on, a CapsuleResp always does.
/// </summary>
public class DataSuccessTests
{
    private const byte DisableSqFlowControl = 0x04;

    private static async Task<(TestHost Admin, TestHost Io)> ConnectAsync(TargetFixture target, byte cattr)
    {
        var admin = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await admin.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);
        var io = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await io.ConnectAsync(TargetFixture.Nqn, qid: 1, controllerId: admin.ControllerId, sqsize: 31, cattr: cattr)).Status.IsSuccess);
        return (admin, io);
    }

    [Fact]
    public async Task Read_SqFlowControlDisabled_LastC2HDataCarriesSuccess_AndNoCapsuleRespFollows()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target, DisableSqFlowControl);
        await using var _ = admin;
        await using var __ = io;
        var data = new byte[4096];
        new Random(3).NextBytes(data);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Write, 1, 8, 8), data)).Status.IsSuccess);

        var read = io.IoCommand(IoOpcode.Read, 1, 8, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(read.AsSpan(32), 4096);
        read[39] = SubmissionEntry.SglTransport;
        await io.SendCapsuleAsync(read, null);
        var pdu = await io.ReadPduAsync();
        Assert.Equal(PduType.C2HData, (PduType)pdu[0]);
        Assert.Equal(PduFlags.LastPdu | PduFlags.Success, (PduFlags)pdu[1]);
        Assert.Equal(data, pdu.AsSpan(pdu[3], 4096).ToArray());

        // The next PDU on the wire is the Flush's CapsuleResp: none was sent for the read.
        var flush = io.IoCommand(IoOpcode.Flush, 1, 0, 1);
        var flushId = BinaryPrimitives.ReadUInt16LittleEndian(flush.AsSpan(2));
        await io.SendCapsuleAsync(flush, null);
        var next = await io.ReadPduAsync();
        Assert.Equal(PduType.CapsuleResp, (PduType)next[0]);
        Assert.Equal(flushId, CompletionEntry.Read(next.AsSpan(8)).CommandId);
    }

    [Fact]
    public async Task Reads_SqFlowControlDisabled_FreeTheirQueueEntry_SoMoreThanTheQueueSizeRunInTurn()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target, DisableSqFlowControl);
        await using var _ = admin;
        await using var __ = io;
        for (var i = 0; i < 80; i++)
        {
            var (completion, _) = await io.ExecuteWithDataAsync(io.IoCommand(IoOpcode.Read, 1, (ulong)i, 1), expectDataLength: 512);
            Assert.True(completion.Status.IsSuccess);
            Assert.True(io.LastCompletedBySuccessFlag);
        }
    }

    [Fact]
    public async Task Read_WithSqFlowControl_EndsInACapsuleResp_WithoutSuccessFlag()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target, 0);
        await using var _ = admin;
        await using var __ = io;
        var (completion, _) = await io.ExecuteWithDataAsync(io.IoCommand(IoOpcode.Read, 1, 0, 1), expectDataLength: 512);
        Assert.True(completion.Status.IsSuccess);
        Assert.False(io.LastCompletedBySuccessFlag);
    }

    [Fact]
    public async Task FailedRead_SqFlowControlDisabled_StillEndsInACapsuleRespWithItsStatus()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target, DisableSqFlowControl);
        await using var _ = admin;
        await using var __ = io;
        var (completion, _) = await io.ExecuteWithDataAsync(io.IoCommand(IoOpcode.Read, 1, 1UL << 40, 1), expectDataLength: 512);
        Assert.Equal(NvmeStatus.LbaOutOfRange, completion.Status);
        Assert.False(io.LastCompletedBySuccessFlag);
    }

    [Fact]
    public async Task DiscoveryLogEntries_SayTheControllerCanDisableSqFlowControl()
    {
        // Fabrics 1.1 figure 38, TREQ bit 2: libnvme's connect-all then asks for it (and so gets SUCCESS reads).
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.DiscoveryEndpoint);
        Assert.True((await host.ConnectAsync(Storlane.Nvme.Target.NvmeTargetOptions.DiscoveryNqn)).Status.IsSuccess);
        var (completion, log) = await host.GetLogPageAsync((byte)LogPageId.Discovery, 2048);
        Assert.True(completion.Status.IsSuccess);
        Assert.Equal(0x04, log[1024 + 3] & 0x04);
    }
}
