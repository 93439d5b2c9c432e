using System.Buffers.Binary;
using Storlane.Nvme.Tcp;
using Storlane.Nvme.Tests.Support;

namespace Storlane.Nvme.Tests.Target;

/// <summary>
/// Abort (NVMe base 2.0, 5.1): CDW10 SQID 15:0, CID 31:16. A command the controller can still stop
/// completes with Command Abort Requested before the Abort, whose DW0 bit 0 is then 0; a command it
/// cannot stop (running, finished, unknown) goes on and the Abort says "not aborted" (bit 0 = 1).
/// </summary>
public class AbortTests
{
    private static async Task<(TestHost Admin, TestHost Io)> ConnectAsync(TargetFixture target)
    {
        var admin = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await admin.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);
        var io = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await io.ConnectAsync(TargetFixture.Nqn, qid: 1, controllerId: admin.ControllerId, sqsize: 31)).Status.IsSuccess);
        return (admin, io);
    }

    private static byte[] Abort(TestHost admin, ushort sqid, ushort cid)
    {
        var sqe = admin.NewCommand(0x08);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(40), sqid | ((uint)cid << 16));
        return sqe;
    }

    private static ushort CommandId(byte[] sqe) => BinaryPrimitives.ReadUInt16LittleEndian(sqe.AsSpan(2));

    [Fact]
    public async Task Abort_OfAHeldAer_CompletesItWithAbortRequested_ThenSaysAborted()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var admin = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await admin.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);
        var aer = admin.NewCommand(0x0C);
        await admin.SendCapsuleAsync(aer, null);
        await admin.SendCapsuleAsync(Abort(admin, 0, CommandId(aer)), null);

        var first = CompletionEntry.Read((await admin.ReadPduAsync()).AsSpan(8));
        Assert.Equal(CommandId(aer), first.CommandId);
        Assert.Equal(NvmeStatus.AbortRequested, first.Status);
        var abort = CompletionEntry.Read((await admin.ReadPduAsync()).AsSpan(8));
        Assert.True(abort.Status.IsSuccess);
        Assert.Equal(0u, abort.Dword0 & 1);
    }

    [Fact]
    public async Task Abort_OfAWriteStillWaitingForItsR2T_CompletesItWithAbortRequested_AndTheQueueGoesOn()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;

        // MAXR2T is 1 (the ICReq's 0): the second write waits for the first's data before its own R2T.
        var data = new byte[4096];
        var first = io.IoCommand(IoOpcode.Write, 1, 0, 8);
        var second = io.IoCommand(IoOpcode.Write, 1, 8, 8);
        foreach (var sqe in new[] { first, second })
        {
            BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(32), 4096);
            sqe[39] = SubmissionEntry.SglTransport;
            await io.SendCapsuleAsync(sqe, null);
        }

        var r2t = await io.ReadPduAsync();
        Assert.Equal(PduType.R2T, (PduType)r2t[0]);
        Assert.Equal(CommandId(first), BinaryPrimitives.ReadUInt16LittleEndian(r2t.AsSpan(8)));

        var abort = await admin.ExecuteAsync(Abort(admin, 1, CommandId(second)));
        Assert.True(abort.Status.IsSuccess);
        Assert.Equal(0u, abort.Dword0 & 1);
        var aborted = CompletionEntry.Read((await io.ReadPduAsync()).AsSpan(8));
        Assert.Equal(CommandId(second), aborted.CommandId);
        Assert.Equal(NvmeStatus.AbortRequested, aborted.Status);

        // The first write's transfer is untouched.
        await io.SendH2CDataAsync(CommandId(first), BinaryPrimitives.ReadUInt16LittleEndian(r2t.AsSpan(10)), 0, data, last: true);
        var done = CompletionEntry.Read((await io.ReadPduAsync()).AsSpan(8));
        Assert.Equal(CommandId(first), done.CommandId);
        Assert.True(done.Status.IsSuccess);
    }

    [Fact]
    public async Task Abort_OfACommandThatIsNotOutstanding_SaysNotAborted()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var abort = await admin.ExecuteAsync(Abort(admin, 1, 0x7777));
        Assert.True(abort.Status.IsSuccess);
        Assert.Equal(1u, abort.Dword0 & 1);
        var noQueue = await admin.ExecuteAsync(Abort(admin, 9, 1));
        Assert.Equal(1u, noQueue.Dword0 & 1);
    }
}
