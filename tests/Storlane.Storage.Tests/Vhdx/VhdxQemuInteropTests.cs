using Storlane.Storage.Vhdx;
using Storlane.TestSupport;

namespace Storlane.Storage.Tests.Vhdx;

/// <summary>Interop both ways with qemu-img: Storlane's disks pass its check and compare; its disks work in Storlane.</summary>
public sealed class VhdxQemuInteropTests : IDisposable
{
    private readonly TempDirectory _temp = new("storlane-vhdx-");

    public void Dispose() => _temp.Dispose();

    // qemu's VHDX driver refuses 4096-byte logical sectors ("Operation not supported"), so the
    // qemu cross-check covers 512n and 512e; 4Kn disks are checked by Storlane's own reader and check.
    [QemuTheory]
    [InlineData(VhdxDiskType.Dynamic, 512, 512)]
    [InlineData(VhdxDiskType.Dynamic, 512, 4096)]
    [InlineData(VhdxDiskType.Fixed, 512, 512)]
    [InlineData(VhdxDiskType.Fixed, 512, 4096)]
    public async Task StorlaneDisk_PassesQemuCheck_AndComparesEqualToTheRawImageWrittenThroughIt(VhdxDiskType type, int logical, int physical)
    {
        var vhdx = _temp.PathOf("disk.vhdx");
        var raw = _temp.PathOf("disk.raw");
        const long Size = 96L << 20;
        await VhdxDiskCreator.CreateAsync(vhdx, new VhdxCreateOptions { Type = type, VirtualSize = Size, LogicalSectorSize = logical, PhysicalSectorSize = physical, BlockSize = 8 << 20 });
        await using (var device = await VhdxBlockDevice.OpenAsync(vhdx))
        await using (var mirror = FileBlockDevice.OpenOrCreate(raw, device.Geometry))
        {
            await WriteRandomPatternAsync(device, mirror, seed: logical + (int)type);
            await device.FlushAsync();
        }

        QemuImg.RunOk("check", "-f", "vhdx", vhdx);
        QemuImg.RunOk("compare", "-f", "vhdx", "-F", "raw", vhdx, raw);
        var info = QemuImg.RunOk("info", "-f", "vhdx", vhdx);
        Assert.Contains("virtual size: 96 MiB", info, StringComparison.Ordinal);
    }

    [QemuTheory]
    [InlineData("dynamic")]
    [InlineData("fixed")]
    public async Task QemuDisk_OpensReadsAndWritesInStorlane_AndStillPassesQemuCheck(string subformat)
    {
        var vhdx = _temp.PathOf("qemu.vhdx");
        var raw = _temp.PathOf("qemu.raw");
        var seedFile = _temp.PathOf("seed.raw");
        const long Size = 64L << 20;

        // qemu writes some data itself first, so Storlane must read what qemu wrote.
        var seed = new byte[Size];
        new Random(11).NextBytes(seed.AsSpan(0, 3 << 20));
        await File.WriteAllBytesAsync(seedFile, seed);
        QemuImg.RunOk("create", "-f", "vhdx", "-o", $"subformat={subformat}", vhdx, Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        QemuImg.RunOk("convert", "-n", "-f", "raw", "-O", "vhdx", seedFile, vhdx);
        File.Copy(seedFile, raw);

        await using (var device = await VhdxBlockDevice.OpenAsync(vhdx))
        await using (var mirror = FileBlockDevice.OpenOrCreate(raw, device.Geometry))
        {
            var head = new byte[3 << 20];
            await device.ReadAsync(0, head);
            Assert.True(head.AsSpan().SequenceEqual(seed.AsSpan(0, head.Length)), "Storlane must read the data qemu wrote");
            await WriteRandomPatternAsync(device, mirror, seed: 5);
            await device.FlushAsync();
        }

        QemuImg.RunOk("check", "-f", "vhdx", vhdx);
        QemuImg.RunOk("compare", "-f", "vhdx", "-F", "raw", vhdx, raw);
    }

    /// <summary>Scattered writes of varied sizes, some crossing block boundaries, plus an unmap, mirrored to a raw file.</summary>
    internal static async Task WriteRandomPatternAsync(IBlockDevice device, IBlockDevice mirror, int seed)
    {
        var random = new Random(seed);
        var sector = device.Geometry.LogicalBlockSize;
        var blocks = device.Geometry.BlockCount;
        for (var i = 0; i < 40; i++)
        {
            var count = random.Next(1, (256 * 1024 / sector) + 1);
            var lba = random.NextInt64(0, blocks - count);
            var data = new byte[count * sector];
            random.NextBytes(data);
            await device.WriteAsync(lba, data);
            await mirror.WriteAsync(lba, data);
        }

        // A write straddling the 8 MiB block boundary, and the very last sector.
        var straddle = new byte[64 * 1024];
        random.NextBytes(straddle);
        var straddleLba = ((8L << 20) - (32 * 1024)) / sector;
        await device.WriteAsync(straddleLba, straddle);
        await mirror.WriteAsync(straddleLba, straddle);
        var last = new byte[sector];
        random.NextBytes(last);
        await device.WriteAsync(blocks - 1, last);
        await mirror.WriteAsync(blocks - 1, last);

        // Unmap a whole 8 MiB block and a partial range; the mirror gets zeros.
        await UnmapBothAsync(device, mirror, (16L << 20) / sector, (8L << 20) / sector);
        await UnmapBothAsync(device, mirror, (1L << 20) / sector, (64 * 1024) / sector);
    }

    private static async Task UnmapBothAsync(IBlockDevice device, IBlockDevice mirror, long lba, long count)
    {
        await device.UnmapAsync(lba, count);
        await mirror.WriteAsync(lba, new byte[count * device.Geometry.LogicalBlockSize]);
    }
}
