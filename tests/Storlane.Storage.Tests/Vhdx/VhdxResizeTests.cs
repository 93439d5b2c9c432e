using System.Security.Cryptography;
using Storlane.Storage.Vhdx;
using Storlane.TestSupport;

namespace Storlane.Storage.Tests.Vhdx;

/// <summary>Resize of fixed, dynamic and differencing VHDX files: data kept, structures valid, qemu-img agrees.</summary>
public sealed class VhdxResizeTests : IDisposable
{
    private const long Mib = 1L << 20;
    private readonly TempDirectory _temp = new("storlane-vhdx-");

    public void Dispose() => _temp.Dispose();

    [QemuFact]
    public async Task GrowingADynamicDiskPastItsBatRegion_MovesTheBlocksInTheWay_AndKeepsEveryByte()
    {
        // 1 MiB blocks: a 1 MiB BAT region holds about 128 GiB; 200 GiB needs 2 MiB, where block 0 lies.
        var (vhdx, raw) = await CreateWrittenAsync(VhdxDiskType.Dynamic, 64 * Mib, 512, Mib);

        var result = await VhdxDiskMaintenance.ResizeAsync(vhdx, 200L << 30, allowShrink: false);

        Assert.Equal(200L << 30, result.NewSize);
        Assert.True(result.BlocksMoved > 0, "the block after the BAT must have moved");
        await AssertValidAsync(vhdx);
        QemuImg.RunOk("check", "-f", "vhdx", vhdx);
        AssertQemuReadsTheOldDataAndZerosAtTheEnd(vhdx, raw, 200L << 30);
        Assert.Contains("virtual size: 200 GiB", QemuImg.RunOk("info", "-f", "vhdx", vhdx), StringComparison.Ordinal);
    }

    [QemuFact]
    public async Task GrowingAFixedDisk_ReservesFullyPresentBlocksWithProgress_ThatReadZeros()
    {
        var (vhdx, raw) = await CreateWrittenAsync(VhdxDiskType.Fixed, 48 * Mib, 512, 4 * Mib);
        var reports = new List<long>();

        await VhdxDiskMaintenance.ResizeAsync(vhdx, 96 * Mib, allowShrink: false, new SynchronousProgress(reports.Add));

        Assert.Equal(VhdxDiskMaintenance.ProgressScale, reports[^1]);
        await using (var device = await VhdxBlockDevice.OpenAsync(vhdx, readOnly: true))
        {
            Assert.Equal(VhdxDiskType.Fixed, device.DiskType);
            Assert.Equal(24, device.Info.AllocatedBlocks);
        }

        await AssertValidAsync(vhdx);
        ExtendRaw(raw, 96 * Mib);
        QemuImg.RunOk("check", "-f", "vhdx", vhdx);
        QemuImg.RunOk("compare", "-f", "vhdx", "-F", "raw", vhdx, raw);
    }

    [Fact]
    public async Task GrowingADifferencingDisk_ShowsTheParentBelowItsEnd_AndZerosPastIt()
    {
        var parent = _temp.PathOf("parent.vhdx");
        var child = _temp.PathOf("child.vhdx");
        await VhdxDiskCreator.CreateAsync(parent, new VhdxCreateOptions { Type = VhdxDiskType.Dynamic, VirtualSize = 16 * Mib, BlockSize = (int)Mib });
        var parentData = RandomBytes(16 * Mib, 3);
        await using (var device = await VhdxBlockDevice.OpenAsync(parent))
        {
            await device.WriteAsync(0, parentData);
        }

        await VhdxDiskCreator.CreateAsync(child, new VhdxCreateOptions { Type = VhdxDiskType.Differencing, ParentPath = parent });
        var childData = RandomBytes(Mib, 4);
        await using (var device = await VhdxBlockDevice.OpenAsync(child))
        {
            await device.WriteAsync(2 * Mib / 512, childData);
        }

        var parentHash = await HashAsync(parent);
        await VhdxDiskMaintenance.ResizeAsync(child, 300L << 30, allowShrink: false);

        Assert.Equal(parentHash, await HashAsync(parent));
        await AssertValidAsync(child);
        await using (var device = await VhdxBlockDevice.OpenAsync(child, readOnly: true))
        {
            Assert.Equal(300L << 30, device.Geometry.SizeInBytes);
            var head = new byte[16 * Mib];
            await device.ReadAsync(0, head);
            var expected = (byte[])parentData.Clone();
            childData.CopyTo(expected, 2 * Mib);
            Assert.True(head.AsSpan().SequenceEqual(expected), "below the old end: the child's writes over the parent");
            var past = new byte[Mib];
            await device.ReadAsync((200L << 30) / 512, past);
            Assert.False(past.AsSpan().ContainsAnyExcept((byte)0), "past the parent's end the child reads zeros");
        }
    }

    [Fact]
    public async Task ADifferencingDiskShrunkAndGrownBack_ShowsTheParent_NotTheDroppedChildData()
    {
        var parent = _temp.PathOf("parent.vhdx");
        var child = _temp.PathOf("child.vhdx");
        await VhdxDiskCreator.CreateAsync(parent, new VhdxCreateOptions { Type = VhdxDiskType.Dynamic, VirtualSize = 16 * Mib, BlockSize = (int)Mib });
        var parentData = RandomBytes(16 * Mib, 13);
        await using (var device = await VhdxBlockDevice.OpenAsync(parent))
        {
            await device.WriteAsync(0, parentData);
        }

        // 1 MiB blocks: the whole disk is one chunk, so the dropped blocks' entries stay inside the BAT.
        await VhdxDiskCreator.CreateAsync(child, new VhdxCreateOptions { Type = VhdxDiskType.Differencing, ParentPath = parent, BlockSize = (int)Mib });
        await using (var device = await VhdxBlockDevice.OpenAsync(child))
        {
            await device.WriteAsync(10 * Mib / 512, RandomBytes(Mib, 14));
        }

        await Assert.ThrowsAsync<VhdxShrinkRefusedException>(() => VhdxDiskMaintenance.ResizeAsync(child, 6 * Mib, allowShrink: false));
        var shrunk = await VhdxDiskMaintenance.ResizeAsync(child, 6 * Mib, allowShrink: true);
        await VhdxDiskMaintenance.ResizeAsync(child, 16 * Mib, allowShrink: false);

        Assert.Equal(1, shrunk.BlocksDropped);
        await AssertValidAsync(child);
        await using var reopened = await VhdxBlockDevice.OpenAsync(child, readOnly: true);
        Assert.Equal(0, reopened.Info.AllocatedBlocks);
        var all = new byte[16 * Mib];
        await reopened.ReadAsync(0, all);
        Assert.True(all.AsSpan().SequenceEqual(parentData), "after the shrink dropped the child's block, the parent shows through again");
    }

    [Fact]
    public async Task ShrinkingOverData_IsRefused_AndLeavesTheFileUnchanged()
    {
        var (vhdx, _) = await CreateWrittenAsync(VhdxDiskType.Dynamic, 64 * Mib, 512, Mib);
        var before = await HashAsync(vhdx);

        await Assert.ThrowsAsync<VhdxShrinkRefusedException>(() => VhdxDiskMaintenance.ResizeAsync(vhdx, 8 * Mib, allowShrink: false));

        // Opening for write changes header GUIDs; the refusal happens before that.
        Assert.Equal(before, await HashAsync(vhdx));
    }

    [Theory]
    [InlineData(VhdxDiskType.Dynamic, 512)]
    [InlineData(VhdxDiskType.Fixed, 512)]
    [InlineData(VhdxDiskType.Dynamic, 4096)]
    public async Task ShrinkingOverZeros_NeedsNoPermission_AndAllowedShrinkDropsData_SoGrowingBackReadsZeros(VhdxDiskType type, int sector)
    {
        var vhdx = _temp.PathOf("shrink.vhdx");
        await VhdxDiskCreator.CreateAsync(vhdx, new VhdxCreateOptions { Type = type, VirtualSize = 64 * Mib, LogicalSectorSize = sector, BlockSize = (int)Mib });
        var head = RandomBytes(10 * Mib, 8);
        await using (var device = await VhdxBlockDevice.OpenAsync(vhdx))
        {
            await device.WriteAsync(0, head);
            await device.WriteAsync(40 * Mib / sector, new byte[4 * Mib]);
        }

        // Zeros past the end are not data; 6.5 MiB cuts block 6 in the middle.
        await VhdxDiskMaintenance.ResizeAsync(vhdx, 32 * Mib, allowShrink: false);
        await VhdxDiskMaintenance.ResizeAsync(vhdx, (13 * Mib) / 2, allowShrink: true);
        await VhdxDiskMaintenance.ResizeAsync(vhdx, 64 * Mib, allowShrink: false);

        await AssertValidAsync(vhdx);
        await using var reopened = await VhdxBlockDevice.OpenAsync(vhdx, readOnly: true);
        var all = new byte[64 * Mib];
        await reopened.ReadAsync(0, all);
        Assert.True(all.AsSpan(0, (int)(13 * Mib / 2)).SequenceEqual(head.AsSpan(0, (int)(13 * Mib / 2))), "data below the shrunk end is kept");
        Assert.False(all.AsSpan((int)(13 * Mib / 2)).ContainsAnyExcept((byte)0), "data dropped by the shrink does not come back");
    }

    [QemuFact]
    public async Task AQemuMadeDynamicDisk_GrowsPastItsBat_AndStillPassesQemuCheck()
    {
        var vhdx = _temp.PathOf("qemu.vhdx");
        var raw = _temp.PathOf("qemu.raw");
        await File.WriteAllBytesAsync(raw, RandomBytes(8 * Mib, 12));
        QemuImg.RunOk("create", "-f", "vhdx", "-o", "subformat=dynamic,block_size=1M", vhdx, "64M");
        QemuImg.RunOk("convert", "-n", "-f", "raw", "-O", "vhdx", raw, vhdx);

        await VhdxDiskMaintenance.ResizeAsync(vhdx, 200L << 30, allowShrink: false);

        QemuImg.RunOk("check", "-f", "vhdx", vhdx);
        AssertQemuReadsTheOldDataAndZerosAtTheEnd(vhdx, raw, 200L << 30);
    }

    [Fact]
    public async Task ASizeThatIsNotAWholeNumberOfSectors_IsRefused_AndLeavesTheFileUnchanged()
    {
        var (vhdx, _) = await CreateWrittenAsync(VhdxDiskType.Dynamic, 16 * Mib, 4096, Mib);
        var before = await HashAsync(vhdx);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => VhdxDiskMaintenance.ResizeAsync(vhdx, (32 * Mib) + 512, allowShrink: false));

        Assert.Equal(before, await HashAsync(vhdx));
    }

    /// <summary>A disk with random data in its first 10 MiB and a 4 MiB run near its end, and a raw mirror.</summary>
    private async Task<(string Vhdx, string Raw)> CreateWrittenAsync(VhdxDiskType type, long size, int sector, long blockSize)
    {
        var vhdx = _temp.PathOf("disk.vhdx");
        var raw = _temp.PathOf("disk.raw");
        await VhdxDiskCreator.CreateAsync(vhdx, new VhdxCreateOptions { Type = type, VirtualSize = size, LogicalSectorSize = sector, BlockSize = (int)blockSize });
        await using var device = await VhdxBlockDevice.OpenAsync(vhdx);
        await using var mirror = FileBlockDevice.OpenOrCreate(raw, device.Geometry);
        foreach (var (offset, length, seed) in new[] { (0L, 10 * Mib, 1), (size - (6 * Mib), 4 * Mib, 2) })
        {
            var data = RandomBytes(length, seed);
            await device.WriteAsync(offset / sector, data);
            await mirror.WriteAsync(offset / sector, data);
        }

        return (vhdx, raw);
    }

    internal static async Task AssertValidAsync(string vhdx)
    {
        var report = await VhdxChecker.CheckAsync(vhdx);
        Assert.False(report.HasErrors, string.Join("; ", report.Problems));
    }

    internal static byte[] RandomBytes(long length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    internal static async Task<string> HashAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexString(await SHA256.HashDataAsync(stream));
    }

    /// <summary>
    /// qemu's VHDX driver reports no block status, so a whole-disk compare of 200 GiB reads every
    /// byte; a raw view limited to the old size compares the data, and the last MiB must read zeros.
    /// </summary>
    private static void AssertQemuReadsTheOldDataAndZerosAtTheEnd(string vhdx, string raw, long newSize)
    {
        var oldSize = new FileInfo(raw).Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        QemuImg.RunOk("compare", "--image-opts", $"driver=raw,size={oldSize},file.driver=vhdx,file.file.driver=file,file.file.filename={vhdx}", $"driver=raw,file.driver=file,file.filename={raw}");
        var tail = (newSize - (1 << 20)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("read 1048576/1048576", QemuImg.RunQemuIo("-r", "-f", "vhdx", "-c", $"read -P 0 {tail} 1048576", vhdx), StringComparison.Ordinal);
    }

    private static void ExtendRaw(string raw, long size)
    {
        using var stream = new FileStream(raw, FileMode.Open);
        stream.SetLength(size);
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
