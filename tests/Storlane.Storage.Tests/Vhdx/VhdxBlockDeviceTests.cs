using Storlane.Storage.Vhdx;
using Storlane.TestSupport;

namespace Storlane.Storage.Tests.Vhdx;

/// <summary>The VHDX block device: round trips, block states, group commit, read-only replay, differencing chains.</summary>
public sealed class VhdxBlockDeviceTests : IDisposable
{
    private readonly TempDirectory _temp = new("storlane-vhdx-");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(VhdxDiskType.Dynamic, 512)]
    [InlineData(VhdxDiskType.Dynamic, 4096)]
    [InlineData(VhdxDiskType.Fixed, 512)]
    [InlineData(VhdxDiskType.Fixed, 4096)]
    public async Task DataWritten_ReadsBackAfterCloseAndReopen(VhdxDiskType type, int sector)
    {
        var path = _temp.PathOf("disk.vhdx");
        var raw = _temp.PathOf("mirror.raw");
        await VhdxDiskCreator.CreateAsync(path, new VhdxCreateOptions { Type = type, VirtualSize = 64L << 20, LogicalSectorSize = sector, BlockSize = 8 << 20 });
        await using (var device = await VhdxBlockDevice.OpenAsync(path))
        await using (var mirror = FileBlockDevice.OpenOrCreate(raw, device.Geometry))
        {
            Assert.Equal(sector, device.Geometry.LogicalBlockSize);
            Assert.Equal(type, device.DiskType);
            await VhdxQemuInteropTests.WriteRandomPatternAsync(device, mirror, seed: sector);
        }

        await using (var reopened = await VhdxBlockDevice.OpenAsync(path, readOnly: true))
        {
            var expected = await File.ReadAllBytesAsync(raw);
            var actual = new byte[expected.Length];
            await reopened.ReadAsync(0, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), "reopened VHDX must read what was written");
        }

        var report = await VhdxChecker.CheckAsync(path);
        Assert.False(report.HasErrors, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task NewDynamicDisk_AllocatesOnFirstWrite_AndReadsZerosElsewhere()
    {
        var path = _temp.PathOf("dyn.vhdx");
        await VhdxDiskCreator.CreateAsync(path, new VhdxCreateOptions { VirtualSize = 1L << 30, BlockSize = 1 << 20 });
        Assert.Equal(4L << 20, new FileInfo(path).Length);
        await using var device = await VhdxBlockDevice.OpenAsync(path);
        Assert.Equal(VhdxBlockState.NotPresent, device.GetBlockState(5));
        await device.WriteAsync((5L << 20) / 512, new byte[512]);
        Assert.Equal(VhdxBlockState.FullyPresent, device.GetBlockState(5));
        Assert.Equal(1, device.Info.AllocatedBlocks);
        var run = await device.QueryAllocationAsync(0, 1 << 20);
        Assert.Equal(new AllocationRun(0, 5 * 2048, false), run);
        Assert.True((await device.QueryAllocationAsync(5 * 2048, 10)).Mapped);
    }

    [Fact]
    public async Task Unmap_OfAWholeBlock_MakesItUnmapped_ReadingZeros_AndDeallocated()
    {
        var path = _temp.PathOf("trim.vhdx");
        await VhdxDiskCreator.CreateAsync(path, new VhdxCreateOptions { VirtualSize = 16L << 20, BlockSize = 1 << 20 });
        await using var device = await VhdxBlockDevice.OpenAsync(path);
        var data = new byte[1 << 20];
        Array.Fill(data, (byte)0xAB);
        await device.WriteAsync(2048, data);
        await device.UnmapAsync(2048, 2048);
        Assert.Equal(VhdxBlockState.Unmapped, device.GetBlockState(1));
        var back = new byte[1 << 20];
        await device.ReadAsync(2048, back);
        Assert.All(back, b => Assert.Equal(0, b));
        Assert.False((await device.QueryAllocationAsync(2048, 2048)).Mapped);
    }

    [Fact]
    public async Task ConcurrentWritersThenConcurrentFlushes_ShareOneLogEntry()
    {
        var path = _temp.PathOf("group.vhdx");
        await VhdxDiskCreator.CreateAsync(path, new VhdxCreateOptions { VirtualSize = 256L << 20, BlockSize = 1 << 20 });
        await using var device = await VhdxBlockDevice.OpenAsync(path);
        var writes = new Task[64];
        for (var i = 0; i < writes.Length; i++)
        {
            var block = i * 3;
            writes[i] = Task.Run(async () => await device.WriteAsync(block * 2048L, new byte[4096]));
        }

        await Task.WhenAll(writes);
        var flushes = new Task[16];
        for (var i = 0; i < flushes.Length; i++)
        {
            flushes[i] = Task.Run(async () => await device.FlushAsync());
        }

        await Task.WhenAll(flushes);

        // 64 BAT updates on one 4 KB BAT page: one log entry, one page, not 64.
        Assert.Equal(1, device.LogEntriesWritten);
        Assert.Equal(1, device.PagesLogged);
        Assert.Equal(64, device.Info.AllocatedBlocks);
    }

    [Fact]
    public async Task ReadOnlyOpen_ReplaysAPendingLogInMemory_WithoutChangingTheFile()
    {
        // Cut the file right after the log entry is flushed, before the BAT page is applied.
        var created = new MemoryVhdxFile();
        await VhdxDiskCreator.CreateAsync(created, new VhdxMetadata(1 << 20, false, false, 8 << 20, Guid.NewGuid(), 512, 512, null), null, CancellationToken.None);
        var file = new MemoryVhdxFile(created.DurableImage());
        var device = await VhdxBlockDevice.OpenAsync(file, null, null);
        var data = new byte[4096];
        Array.Fill(data, (byte)0x5A);
        await device.WriteAsync(0, data);
        file.CrashAtWrite = file.WriteCount + 4; // two header copies (new LogGuid), the log entry, then the cut at the BAT page
        await Assert.ThrowsAsync<SimulatedCrashException>(async () => await device.FlushAsync());
        var image = file.DurableImage();

        var readOnly = new MemoryVhdxFile((byte[])image.Clone()) { CanWrite = false };
        await using (var replayed = await VhdxBlockDevice.OpenAsync(readOnly, null, null))
        {
            Assert.Equal(1, replayed.Info.ReplayedLogEntries);
            var back = new byte[4096];
            await replayed.ReadAsync(0, back);
            Assert.Equal(data, back);
        }

        Assert.Equal(image, readOnly.DurableImage());
        var report = new VhdxCheckReport();
        await VhdxChecker.CheckAsync(new MemoryVhdxFile(image), null, report, CancellationToken.None);
        Assert.Contains(report.Problems, p => p.Structure == "log" && p.Message.Contains("not yet replayed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DifferencingDisk_ReadsTheParentUntilWritten_AndLeavesTheParentAlone()
    {
        var parentPath = _temp.PathOf("base.vhdx");
        var childPath = _temp.PathOf("child.vhdx");
        await VhdxDiskCreator.CreateAsync(parentPath, new VhdxCreateOptions { VirtualSize = 32L << 20, BlockSize = 4 << 20 });
        var parentData = new byte[32 << 20];
        new Random(8).NextBytes(parentData);
        await using (var parent = await VhdxBlockDevice.OpenAsync(parentPath))
        {
            await parent.WriteAsync(0, parentData);
        }

        await VhdxDiskCreator.CreateAsync(childPath, new VhdxCreateOptions { Type = VhdxDiskType.Differencing, ParentPath = parentPath });
        var expected = (byte[])parentData.Clone();
        await using (var child = await VhdxBlockDevice.OpenAsync(childPath))
        {
            Assert.Equal(VhdxDiskType.Differencing, child.DiskType);
            var patch = new byte[3 * 512];
            Array.Fill(patch, (byte)0xEE);
            await child.WriteAsync(1001, patch);
            patch.CopyTo(expected, 1001 * 512);
            Assert.Equal(VhdxBlockState.PartiallyPresent, child.GetBlockState(0));
            await child.UnmapAsync(4096, 4096);
            Array.Clear(expected, 4096 * 512, 4096 * 512);
        }

        await using (var child = await VhdxBlockDevice.OpenAsync(childPath, readOnly: true))
        {
            var back = new byte[expected.Length];
            await child.ReadAsync(0, back);
            Assert.True(expected.AsSpan().SequenceEqual(back), "child = parent + its own writes");
        }

        await using (var parent = await VhdxBlockDevice.OpenAsync(parentPath, readOnly: true))
        {
            var back = new byte[parentData.Length];
            await parent.ReadAsync(0, back);
            Assert.True(parentData.AsSpan().SequenceEqual(back), "the parent must not change");
        }

        Assert.False((await VhdxChecker.CheckAsync(childPath)).HasErrors);
    }

    [Fact]
    public async Task DifferencingDisk_RefusesAParentWhoseDataChangedSinceTheChildWasMade()
    {
        var parentPath = _temp.PathOf("base.vhdx");
        var childPath = _temp.PathOf("child.vhdx");
        await VhdxDiskCreator.CreateAsync(parentPath, new VhdxCreateOptions { VirtualSize = 8L << 20, BlockSize = 1 << 20 });
        await VhdxDiskCreator.CreateAsync(childPath, new VhdxCreateOptions { Type = VhdxDiskType.Differencing, ParentPath = parentPath });
        await using (var parent = await VhdxBlockDevice.OpenAsync(parentPath))
        {
            await parent.WriteAsync(0, new byte[512]);
        }

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => VhdxBlockDevice.OpenAsync(childPath));
        Assert.Contains("DataWriteGuid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptHeaders_AreRefusedNamingBothCopies()
    {
        var path = _temp.PathOf("bad.vhdx");
        await VhdxDiskCreator.CreateAsync(path, new VhdxCreateOptions { VirtualSize = 8L << 20, BlockSize = 1 << 20 });
        await using (var stream = File.OpenWrite(path))
        {
            stream.Position = 64 << 10;
            stream.Write(new byte[16]);
            stream.Position = 128 << 10;
            stream.Write(new byte[16]);
        }

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => VhdxBlockDevice.OpenAsync(path));
        Assert.Contains("header 1 at 64 KB", ex.Message, StringComparison.Ordinal);
        var report = await VhdxChecker.CheckAsync(path);
        Assert.True(report.HasErrors);
    }

    [Fact]
    public async Task Check_ReportsABatEntryPointingPastTheEndOfTheFile()
    {
        var path = _temp.PathOf("past.vhdx");
        await VhdxDiskCreator.CreateAsync(path, new VhdxCreateOptions { VirtualSize = 8L << 20, BlockSize = 1 << 20 });
        await using (var stream = File.OpenWrite(path))
        {
            stream.Position = 3 << 20;
            stream.Write(BitConverter.GetBytes(VhdxBatEntry.Make(6, 100L << 20)));
        }

        var report = await VhdxChecker.CheckAsync(path);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(3L << 20, problem.FileOffset);
        Assert.Contains("past the end", problem.Message, StringComparison.Ordinal);
    }
}
