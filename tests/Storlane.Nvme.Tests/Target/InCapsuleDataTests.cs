using System.Buffers.Binary;
using Storlane.Nvme.Target;
using Storlane.Nvme.Tcp;
using Storlane.Nvme.Tests.Support;

namespace Storlane.Nvme.Tests.Target;

/// <summary>
/// In-capsule data (NVMe/TCP 1.0, 3.3.1; IOCCSZ, base 2.0 figure 275): I/O capsules may carry up to
/// IOCCSZ x 16 bytes less the 64-byte SQE, so a write that fits needs no R2T round trip; more than
/// that is a fatal Data Transfer Limit Exceeded for the connection.
/// </summary>
public class InCapsuleDataTests
{
    private static async Task<(TestHost Admin, TestHost Io)> ConnectAsync(TargetFixture target)
    {
        var admin = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await admin.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);
        var io = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await io.ConnectAsync(TargetFixture.Nqn, qid: 1, controllerId: admin.ControllerId, sqsize: 31)).Status.IsSuccess);
        return (admin, io);
    }

    private static int InCapsuleBytes(byte[] identifyController) => (int)(BinaryPrimitives.ReadUInt32LittleEndian(identifyController.AsSpan(1792)) * 16) - 64;

    [Fact]
    public void DefaultLimit_IsAbove8KiB_SoA16KiBWriteGoesInItsCapsule()
    {
        // Linux nvmet-tcp's default is 16 KiB; 8 KiB made every write of 16 KiB or more wait for an R2T.
        Assert.True(new NvmeLimits().MaxInCapsuleData >= 16 * 1024);
    }

    [Fact]
    public async Task IdentifyController_AdvertisesTheConfiguredInCapsuleSize()
    {
        await using var target = await TargetFixture.StartAsync(new NvmeLimits { MaxInCapsuleData = 48 * 1024 });
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        Assert.Equal(48 * 1024, InCapsuleBytes(await admin.IdentifyAsync(0x01)));
    }

    [Fact]
    public async Task Write_OfTheWholeInCapsuleSize_IsTakenWithoutAnR2T()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var size = InCapsuleBytes(await admin.IdentifyAsync(0x01));
        Assert.True(size > 8192);
        var data = new byte[size];
        new Random(5).NextBytes(data);
        var write = io.IoCommand(IoOpcode.Write, 1, 16, size / 512);
        BinaryPrimitives.WriteUInt32LittleEndian(write.AsSpan(32), (uint)size);
        write[39] = SubmissionEntry.SglInCapsule;
        await io.SendCapsuleAsync(write, data);

        // The answer is the CapsuleResp itself, not an R2T.
        var pdu = await io.ReadPduAsync();
        Assert.Equal(PduType.CapsuleResp, (PduType)pdu[0]);
        Assert.True(CompletionEntry.Read(pdu.AsSpan(8)).Status.IsSuccess);
        var (completion, back) = await io.ExecuteWithDataAsync(io.IoCommand(IoOpcode.Read, 1, 16, size / 512), expectDataLength: size);
        Assert.True(completion.Status.IsSuccess);
        Assert.Equal(data, back);
    }

    [Fact]
    public async Task InCapsuleData_BeyondIoccsz_EndsTheConnection_WithDataTransferLimitExceeded()
    {
        await using var target = await TargetFixture.StartAsync(new NvmeLimits { MaxInCapsuleData = 16 * 1024 });
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var data = new byte[20 * 1024];
        var write = io.IoCommand(IoOpcode.Write, 1, 0, data.Length / 512);
        BinaryPrimitives.WriteUInt32LittleEndian(write.AsSpan(32), (uint)data.Length);
        write[39] = SubmissionEntry.SglInCapsule;
        await io.SendCapsuleAsync(write, data);
        var pdu = await io.ReadPduAsync();
        Assert.Equal(PduType.C2HTermReq, (PduType)pdu[0]);
        Assert.Equal((ushort)FatalErrorStatus.DataTransferLimitExceeded, BinaryPrimitives.ReadUInt16LittleEndian(pdu.AsSpan(8)));
        Assert.True(await io.ClosedAsync(TimeSpan.FromSeconds(5)));
    }
}
