using Storlane.Initiator.Nvme;
using Storlane.Initiator.Tests.Support;
using Storlane.Nvme;

namespace Storlane.Initiator.Tests.Nvme;

public sealed class NvmeDiskTests
{
    [Theory]
    [InlineData(1u, 512, "")]
    [InlineData(2u, 4096, "")]
    [InlineData(1u, 512, "?hdgst=1&ddgst=1")]
    [InlineData(2u, 4096, "?hdgst=1&ddgst=1&queues=1")]
    public async Task NvmeDisk_WritesThenReads_SameBytes_InCapsuleAndByR2T(uint nsid, int blockSize, string query)
    {
        await using var target = await NvmeLocalTarget.StartAsync();
        await using var disk = await NvmeDisk.OpenAsync(target.Url(nsid, query: query));
        Assert.Equal(blockSize, disk.BlockSize);
        Assert.Equal(16L << 20, disk.SizeBytes);

        // 1 block goes in the capsule (IOCCSZ 128 KiB), 256 KiB needs an R2T and H2CData; 1 MiB is split by MDTS.
        foreach (var (lba, length, seed) in new[] { (3L, blockSize, 1), (64L, 256 * 1024, 2), (1024L, 1 << 20, 3) })
        {
            var data = Patterns.Make(length, seed);
            await disk.WriteAsync(lba, data);
            var back = new byte[length];
            await disk.ReadAsync(lba, back);
            Assert.True(back.AsSpan().SequenceEqual(data), $"{length} bytes at LBA {lba} read back differently");
        }

        await disk.FlushAsync();
    }

    [Fact]
    public async Task NvmeDisk_Unmap_DeallocatesToZeros()
    {
        await using var target = await NvmeLocalTarget.StartAsync();
        await using var disk = await NvmeDisk.OpenAsync(target.Url(2));
        await disk.WriteAsync(10, Patterns.Make(8 * 4096, 7));
        await disk.UnmapAsync(10, 8);
        var back = new byte[8 * 4096];
        await disk.ReadAsync(10, back);
        Assert.All(back, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task NvmeDisk_ManyConcurrentCommands_BeyondQueueDepth_AllComplete()
    {
        await using var target = await NvmeLocalTarget.StartAsync();
        await using var disk = await NvmeDisk.OpenAsync(target.Url(1, query: "?queues=1"), new NvmeHostOptions { QueueDepth = 4 });
        var tasks = new List<Task>();
        for (var i = 0; i < 64; i++)
        {
            var lba = i * 8L;
            var data = Patterns.Make(8 * 512, 100 + i);
            tasks.Add(Task.Run(async () =>
            {
                await disk.WriteAsync(lba, data);
                var back = new byte[data.Length];
                await disk.ReadAsync(lba, back);
                Assert.True(back.AsSpan().SequenceEqual(data));
            }));
        }

        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task NvmeDisk_LbaOutOfRange_FromTheController_IsNvmeCommandException()
    {
        await using var target = await NvmeLocalTarget.StartAsync();
        await using var controller = await NvmeTcpController.ConnectAsync(NvmeUrl.Parse(target.Url(2)));
        var command = NvmeCommand.Io(IoOpcode.Read, 2);
        command.SetUInt64(40, 1UL << 40);
        var completion = await controller.ExecuteIoAsync(command, new byte[4096], default);
        Assert.Equal(NvmeStatus.LbaOutOfRange, completion.Status);
    }

    [Fact]
    public async Task NvmeDisk_UnknownSubsystem_ConnectRefusedWithClearError()
    {
        await using var target = await NvmeLocalTarget.StartAsync();
        var url = target.Url(1).Replace(NvmeLocalTarget.Nqn, "nqn.2014-08.org.example:missing", StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<NvmeConnectException>(() => NvmeDisk.OpenAsync(url));
        Assert.Contains("nqn.2014-08.org.example:missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NvmeController_TargetStopped_OutstandingAndNewCommandsFailWithTransportError()
    {
        var target = await NvmeLocalTarget.StartAsync();
        await using var disk = await NvmeDisk.OpenAsync(target.Url(1));
        await target.DisposeAsync();
        await Assert.ThrowsAnyAsync<NvmeTransportException>(async () => await disk.ReadAsync(0, new byte[512]));
        Assert.False(disk.Controller.IsConnected);
    }

    [Fact]
    public async Task NvmeController_ReportsIdentityAndAna()
    {
        await using var target = await NvmeLocalTarget.StartAsync();
        await using var controller = await NvmeTcpController.ConnectAsync(NvmeUrl.Parse(target.Url(1)));
        Assert.Equal(NvmeLocalTarget.Nqn, controller.SubsystemNqn);
        Assert.True(controller.ReportsAna);
        Assert.Equal(new Storlane.Nvme.Target.NvmeLimits().MaxInCapsuleData, controller.InCapsuleDataBytes);

        // The I/O queues asked for SQ flow control off, so the target ends reads with C2HData SUCCESS
        // (TCP 1.0, 3.6.2.8); the read-back tests above pass only if the host completes from it.
        Assert.True(controller.SqFlowControlDisabled);
        Assert.Equal(AnaState.Optimized, controller.AnaStateOf(1));
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        controller.AnaChanged += () => changed.TrySetResult();
        target.SetGroupState(1, Storlane.Scsi.TargetPortGroupState.ActiveNonOptimized);
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(AnaState.NonOptimized, controller.AnaStateOf(1));
    }
}
