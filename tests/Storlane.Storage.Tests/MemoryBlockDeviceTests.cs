using Storlane.Storage;

namespace Storlane.Storage.Tests;

public class MemoryBlockDeviceTests
{
    private static readonly BlockGeometry Geometry = BlockGeometry.FromSize(4 << 20, 512, 4096);

    [Fact]
    public async Task UnwrittenBlocks_ReadAsZeros_AndCostNoMemory()
    {
        var device = new MemoryBlockDevice(Geometry);
        var buffer = new byte[4096];
        Array.Fill(buffer, (byte)0xEE);
        await device.ReadAsync(100, buffer);
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.Equal(0, device.AllocatedBytes);
    }

    [Fact]
    public async Task WriteAcrossAChunkBoundary_ReadsBack()
    {
        var device = new MemoryBlockDevice(Geometry);
        var data = new byte[8192];
        new Random(7).NextBytes(data);

        // LBA 2044 at 512 bytes is 4 KiB before the 1 MiB chunk boundary.
        await device.WriteAsync(2044, data);
        var back = new byte[8192];
        await device.ReadAsync(2044, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public async Task Unmap_ReadsBackZeros_AndFreesWholeChunks()
    {
        var device = new MemoryBlockDevice(Geometry);
        await device.WriteAsync(0, new byte[2 << 20].Select(_ => (byte)1).ToArray());
        await device.UnmapAsync(0, 2048);
        Assert.Equal(1 << 20, device.AllocatedBytes);
        var back = new byte[512];
        await device.ReadAsync(10, back);
        Assert.All(back, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task RangeBeyondTheEnd_IsACallerBug()
    {
        var device = new MemoryBlockDevice(Geometry);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await device.ReadAsync(Geometry.BlockCount, new byte[512]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await device.WriteAsync(0, new byte[100]));
    }
}
