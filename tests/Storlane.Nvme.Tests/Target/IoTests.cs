using System.Buffers.Binary;
using Storlane.Nvme.Target;
using Storlane.Nvme.Tests.Support;
using Storlane.Protocol;

namespace Storlane.Nvme.Tests.Target;

/// <summary>I/O commands over an admin + I/O queue pair, with and without digests.</summary>
public class IoTests
{
    private static async Task<(TestHost Admin, TestHost Io)> ConnectAsync(TargetFixture target, bool digests = false)
    {
        var admin = await TestHost.OpenAsync(target.IoEndpoint, digests, digests);
        Assert.True((await admin.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);
        var io = await TestHost.OpenAsync(target.IoEndpoint, digests, digests);
        Assert.True((await io.ConnectAsync(TargetFixture.Nqn, qid: 1, controllerId: admin.ControllerId, sqsize: 127)).Status.IsSuccess);
        return (admin, io);
    }

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task Write_ThenRead_ReturnsTheData(bool byR2T, bool digests)
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target, digests);
        await using var _ = admin;
        await using var __ = io;
        foreach (var (nsid, blockSize) in new[] { (1u, 512), (2u, 4096) })
        {
            var data = Pattern(byR2T ? 64 * 1024 : 4096, (int)nsid);
            var blocks = data.Length / blockSize;
            Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Write, nsid, 3, blocks), data, byR2T)).Status.IsSuccess);
            var (completion, read) = await io.ExecuteWithDataAsync(io.IoCommand(IoOpcode.Read, nsid, 3, blocks), expectDataLength: data.Length);
            Assert.True(completion.Status.IsSuccess);
            Assert.Equal(data, read);
        }
    }

    [Fact]
    public async Task Read_LargerThanOneC2HDataPdu_ArrivesWhole()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var data = Pattern(1 << 20, 7);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Write, 2, 0, 256), data, byR2T: true)).Status.IsSuccess);
        var (completion, read) = await io.ExecuteWithDataAsync(io.IoCommand(IoOpcode.Read, 2, 0, 256), expectDataLength: data.Length);
        Assert.True(completion.Status.IsSuccess);
        Assert.Equal(data, read);
    }

    [Fact]
    public async Task Read_PastTheEnd_IsLbaOutOfRange()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var completion = await io.ExecuteAsync(io.IoCommand(IoOpcode.Read, 1, 8191, 2), expectDataLength: 1024);
        Assert.Equal(NvmeStatus.LbaOutOfRange, completion.Status);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Read, 1, 8191, 1), expectDataLength: 512)).Status.IsSuccess);
    }

    [Fact]
    public async Task AboveMdts_IsInvalidField()
    {
        await using var target = await TargetFixture.StartAsync(new NvmeLimits { MaxTransferBytes = 64 * 1024 });
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var completion = await io.ExecuteAsync(io.IoCommand(IoOpcode.Read, 2, 0, 17), expectDataLength: 17 * 4096);
        Assert.Equal(NvmeStatus.InvalidField, completion.Status);
    }

    [Fact]
    public async Task UnknownIoOpcode_IsInvalidOpcode_AndUnknownNamespace_IsInvalidNamespace()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        Assert.Equal(NvmeStatus.InvalidOpcode, (await io.ExecuteAsync(io.IoCommand((IoOpcode)0x7E, 1, 0, 1))).Status);
        Assert.Equal(NvmeStatus.InvalidNamespace, (await io.ExecuteAsync(io.IoCommand(IoOpcode.Read, 5, 0, 1), expectDataLength: 512)).Status);
    }

    [Fact]
    public async Task WriteZeroes_AndDeallocate_ReadBackZeros()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var data = Pattern(8192, 3);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Write, 1, 0, 16), data)).Status.IsSuccess);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.WriteZeroes, 1, 0, 8))).Status.IsSuccess);

        var dsm = io.NewCommand((byte)IoOpcode.DatasetManagement, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(dsm.AsSpan(44), 0b100); // AD
        var range = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(range.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt64LittleEndian(range.AsSpan(8), 8);
        Assert.True((await io.ExecuteAsync(dsm, range)).Status.IsSuccess);

        var (_, read) = await io.ExecuteWithDataAsync(io.IoCommand(IoOpcode.Read, 1, 0, 16), expectDataLength: 8192);
        Assert.All(read, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Compare_MatchesOrFails()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        var data = Pattern(4096, 5);
        await io.ExecuteAsync(io.IoCommand(IoOpcode.Write, 2, 1, 1), data);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Compare, 2, 1, 1), data)).Status.IsSuccess);
        data[100] ^= 1;
        Assert.Equal(NvmeStatus.CompareFailure, (await io.ExecuteAsync(io.IoCommand(IoOpcode.Compare, 2, 1, 1), data)).Status);
    }

    [Fact]
    public async Task Flush_AllNamespaces_Succeeds()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Flush, 0xFFFF_FFFF, 0, 1))).Status.IsSuccess);
    }

    [Fact]
    public async Task SmartLog_CountsTheDataWritten()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        await io.ExecuteAsync(io.IoCommand(IoOpcode.Write, 2, 0, 1), new byte[4096]);
        var (completion, smart) = await admin.GetLogPageAsync((byte)LogPageId.Smart, 512);
        Assert.True(completion.Status.IsSuccess);
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(smart.AsSpan(80)));
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(smart.AsSpan(48)));
    }

    [Fact]
    public async Task InaccessiblePath_RefusesIo_WithAnaInaccessible()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        target.Device.SetTargetPortGroupState(1, Scsi.TargetPortGroupState.Standby);
        Assert.Equal(NvmeStatus.AsymmetricAccessInaccessible, (await io.ExecuteAsync(io.IoCommand(IoOpcode.Read, 1, 0, 1), expectDataLength: 512)).Status);
    }

    [Fact]
    public async Task OfflineLun_RefusesIo_WithAnaInaccessible_OnlyOnItsNamespace()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target);
        await using var _ = admin;
        await using var __ = io;
        target.Device.SetLogicalUnitOffline(0, offline: true);
        Assert.Equal(NvmeStatus.AsymmetricAccessInaccessible, (await io.ExecuteAsync(io.IoCommand(IoOpcode.Read, 1, 0, 1), expectDataLength: 512)).Status);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Read, 2, 0, 1), expectDataLength: 4096)).Status.IsSuccess);
    }

    [Fact]
    public async Task BadDataDigest_FailsTheCommand_NotTheConnection()
    {
        await using var target = await TargetFixture.StartAsync();
        var (admin, io) = await ConnectAsync(target, digests: true);
        await using var _ = admin;
        await using var __ = io;
        var sqe = io.IoCommand(IoOpcode.Write, 1, 0, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(32), 512);
        sqe[39] = Storlane.Nvme.SubmissionEntry.SglInCapsule;

        // A capsule whose data digest is wrong: header 72 + hdgst 4, data 512, ddgst 4.
        var pdu = new byte[72 + 4 + 512 + 4];
        pdu[0] = 0x04;
        pdu[1] = 0x03;
        pdu[2] = 72;
        pdu[3] = 76;
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(4), (uint)pdu.Length);
        sqe.CopyTo(pdu, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(72), Crc32C.Compute(pdu.AsSpan(0, 72)));
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(588), 0xDEADBEEF);
        await io.SendRawAsync(pdu);
        var completion = CompletionEntry.Read((await io.ReadPduAsync()).AsSpan(8));
        Assert.Equal(NvmeStatus.TransientTransportError, completion.Status);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Read, 1, 0, 1), expectDataLength: 512)).Status.IsSuccess);
    }
}
