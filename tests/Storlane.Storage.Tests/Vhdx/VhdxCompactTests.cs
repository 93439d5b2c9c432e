using Storlane.Storage.Vhdx;
using Storlane.TestSupport;

namespace Storlane.Storage.Tests.Vhdx;

/// <summary>Compaction gives back the space of unmapped and all-zero blocks and keeps every byte the disk shows.</summary>
public sealed class VhdxCompactTests : IDisposable
{
    private const long Mib = 1L << 20;
    private readonly TempDirectory _temp = new("storlane-vhdx-");

    public void Dispose() => _temp.Dispose();

    [QemuFact]
    public async Task CompactAfterUnmappingMostBlocks_ShrinksTheFile_KeepsTheData_AndPassesBothChecks()
    {
        var vhdx = _temp.PathOf("disk.vhdx");
        var raw = _temp.PathOf("disk.raw");
        await VhdxDiskCreator.CreateAsync(vhdx, new VhdxCreateOptions { Type = VhdxDiskType.Dynamic, VirtualSize = 64 * Mib, BlockSize = (int)Mib });
        await using (var device = await VhdxBlockDevice.OpenAsync(vhdx))
        await using (var mirror = FileBlockDevice.OpenOrCreate(raw, device.Geometry))
        {
            var data = VhdxResizeTests.RandomBytes(48 * Mib, 21);
            await device.WriteAsync(0, data);
            await mirror.WriteAsync(0, data);

            // Keep every fifth block; unmap the rest, and zero one kept block by writing zeros.
            for (long block = 0; block < 48; block++)
            {
                if (block % 5 != 0)
                {
                    await device.UnmapAsync(block * Mib / 512, Mib / 512);
                    await mirror.WriteAsync(block * Mib / 512, new byte[Mib]);
                }
            }

            await device.WriteAsync(10 * Mib / 512, new byte[Mib]);
            await mirror.WriteAsync(10 * Mib / 512, new byte[Mib]);
        }

        var before = new FileInfo(vhdx).Length;
        var result = await VhdxDiskMaintenance.CompactAsync(vhdx);

        var after = new FileInfo(vhdx).Length;
        Assert.Equal(before, result.FileSizeBefore);
        Assert.Equal(after, result.FileSizeAfter);
        Assert.Equal(1, result.ZeroBlocksReleased);

        // Nine blocks of data are left (0, 5, 15 ... 45) after the 4 MiB of header, log, metadata and BAT.
        Assert.Equal((4 + 9) * Mib, after);
        Assert.True(after < before / 3, $"the file should shrink a lot: {before} -> {after}");
        await VhdxResizeTests.AssertValidAsync(vhdx);
        QemuImg.RunOk("check", "-f", "vhdx", vhdx);
        QemuImg.RunOk("compare", "-f", "vhdx", "-F", "raw", vhdx, raw);
    }

    [Fact]
    public async Task CompactingADifferencingDisk_KeepsUnmappedBlocksHidingTheParent()
    {
        var parent = _temp.PathOf("parent.vhdx");
        var child = _temp.PathOf("child.vhdx");
        await VhdxDiskCreator.CreateAsync(parent, new VhdxCreateOptions { Type = VhdxDiskType.Dynamic, VirtualSize = 32 * Mib, BlockSize = (int)Mib });
        var parentData = VhdxResizeTests.RandomBytes(32 * Mib, 31);
        await using (var device = await VhdxBlockDevice.OpenAsync(parent))
        {
            await device.WriteAsync(0, parentData);
        }

        await VhdxDiskCreator.CreateAsync(child, new VhdxCreateOptions { Type = VhdxDiskType.Differencing, ParentPath = parent, BlockSize = (int)Mib });
        var expected = (byte[])parentData.Clone();
        await using (var device = await VhdxBlockDevice.OpenAsync(child))
        {
            var childData = VhdxResizeTests.RandomBytes(16 * Mib, 32);
            await device.WriteAsync(0, childData);
            childData.CopyTo(expected, 0);

            // A partial write (sector bitmap) in block 20, then most of the child's blocks unmapped.
            await device.WriteAsync((20 * Mib) + 4096 >> 9, childData.AsMemory(0, 8192));
            childData.AsSpan(0, 8192).CopyTo(expected.AsSpan((int)(20 * Mib) + 4096));
            for (long block = 1; block < 15; block++)
            {
                await device.UnmapAsync(block * Mib / 512, Mib / 512);
                expected.AsSpan((int)(block * Mib), (int)Mib).Clear();
            }
        }

        var before = new FileInfo(child).Length;
        var result = await VhdxDiskMaintenance.CompactAsync(child);

        Assert.True(result.FileSizeAfter < before, $"{before} -> {result.FileSizeAfter}");
        Assert.True(result.BlocksMoved > 0);
        await VhdxResizeTests.AssertValidAsync(child);
        await using var reopened = await VhdxBlockDevice.OpenAsync(child, readOnly: true);
        var all = new byte[32 * Mib];
        await reopened.ReadAsync(0, all);
        Assert.True(all.AsSpan().SequenceEqual(expected), "the child must show the same bytes after compaction");
    }

    [Fact]
    public async Task CompactingAFixedDiskShrunkBefore_CutsTheDroppedBlocksOffTheFile()
    {
        var vhdx = _temp.PathOf("fixed.vhdx");
        await VhdxDiskCreator.CreateAsync(vhdx, new VhdxCreateOptions { Type = VhdxDiskType.Fixed, VirtualSize = 64 * Mib, BlockSize = (int)Mib });
        await VhdxDiskMaintenance.ResizeAsync(vhdx, 16 * Mib, allowShrink: false);
        var before = new FileInfo(vhdx).Length;

        var result = await VhdxDiskMaintenance.CompactAsync(vhdx);

        Assert.Equal(0, result.ZeroBlocksReleased);
        Assert.Equal((4 + 16) * Mib, result.FileSizeAfter);
        Assert.True(result.FileSizeAfter < before);
        await VhdxResizeTests.AssertValidAsync(vhdx);
        await using var device = await VhdxBlockDevice.OpenAsync(vhdx, readOnly: true);
        Assert.Equal(16, device.Info.AllocatedBlocks);
    }
}
