using Storlane.Storage;

namespace Storlane.Storage.Tests;

/// <summary>IAllocationQuery of the memory (chunk map) and file (SEEK_DATA / SEEK_HOLE) backends.</summary>
public sealed class AllocationQueryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-alloc-").FullName;

    [Fact]
    public async Task Memory_NewDevice_IsOneDeallocatedRunToTheEnd()
    {
        var device = new MemoryBlockDevice(new BlockGeometry(4096, 4096, 1024));
        Assert.Equal(new AllocationRun(10, 1014, Mapped: false), await device.QueryAllocationAsync(10, long.MaxValue));
        Assert.Equal(new AllocationRun(10, 5, Mapped: false), await device.QueryAllocationAsync(10, 5));
    }

    [Fact]
    public async Task Memory_WrittenChunk_IsMapped_AndWholeChunkUnmapDeallocatesIt()
    {
        // 4 KiB blocks: a 1 MiB chunk is 256 blocks. Write block 300 (chunk 1).
        var device = new MemoryBlockDevice(new BlockGeometry(4096, 4096, 1024));
        await device.WriteAsync(300, new byte[4096]);
        Assert.Equal(new AllocationRun(0, 256, Mapped: false), await device.QueryAllocationAsync(0, long.MaxValue));
        Assert.Equal(new AllocationRun(256, 256, Mapped: true), await device.QueryAllocationAsync(256, long.MaxValue));
        Assert.Equal(new AllocationRun(310, 202, Mapped: true), await device.QueryAllocationAsync(310, long.MaxValue));
        Assert.Equal(new AllocationRun(512, 512, Mapped: false), await device.QueryAllocationAsync(512, long.MaxValue));

        // A partial unmap zeros blocks but keeps the chunk: still mapped (honest at chunk granularity).
        await device.UnmapAsync(300, 1);
        Assert.True((await device.QueryAllocationAsync(300, 1)).Mapped);
        await device.UnmapAsync(256, 256);
        Assert.Equal(new AllocationRun(0, 1024, Mapped: false), await device.QueryAllocationAsync(0, long.MaxValue));
    }

    [Fact]
    public async Task File_HolesAreDeallocated_DataIsMapped()
    {
        // 4 MiB file, 4 KiB blocks: write blocks 256..511 (1 MiB), then punch 300..309.
        var geometry = new BlockGeometry(4096, 4096, 1024);
        await using var device = FileBlockDevice.OpenOrCreate(Path.Combine(_directory, "sparse.img"), geometry);
        Assert.Equal(new AllocationRun(0, 1024, Mapped: false), await device.QueryAllocationAsync(0, long.MaxValue));

        var data = new byte[256 * 4096];
        Array.Fill(data, (byte)0x5A);
        await device.WriteAsync(256, data);
        Assert.Equal(new AllocationRun(0, 256, Mapped: false), await device.QueryAllocationAsync(0, long.MaxValue));
        Assert.Equal(new AllocationRun(256, 256, Mapped: true), await device.QueryAllocationAsync(256, long.MaxValue));
        Assert.Equal(new AllocationRun(512, 512, Mapped: false), await device.QueryAllocationAsync(512, long.MaxValue));

        await device.UnmapAsync(300, 10);
        Assert.Equal(new AllocationRun(256, 44, Mapped: true), await device.QueryAllocationAsync(256, long.MaxValue));
        Assert.Equal(new AllocationRun(300, 10, Mapped: false), await device.QueryAllocationAsync(300, long.MaxValue));
        Assert.Equal(new AllocationRun(310, 202, Mapped: true), await device.QueryAllocationAsync(310, long.MaxValue));
        Assert.Equal(new AllocationRun(310, 7, Mapped: true), await device.QueryAllocationAsync(310, 7));
    }

    [Fact]
    public async Task Query_OutsideTheDevice_Throws()
    {
        var device = new MemoryBlockDevice(new BlockGeometry(512, 512, 16));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await device.QueryAllocationAsync(16, 1));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
