using Storlane.Ceph.Devices;
using Storlane.Ceph.Rbd;
using Storlane.Ceph.Tests.Infrastructure;
using Storlane.Storage;

namespace Storlane.Ceph.Tests;

[Collection(CephCollection.Name)]
public sealed class RbdBlockDeviceTests(CephClusterFixture fixture)
{
    private const long Object = 4L << 20;

    private RbdBlockDevice NewDevice(string name, long size = 32L << 20, int blockSize = 512)
    {
        var imageName = fixture.NewImageName(name);
        RbdImage.Create(fixture.Pool, imageName, size);
        return RbdBlockDevice.Open(RbdImage.Open(fixture.Pool, imageName), blockSize, 4096);
    }

    private static byte[] Filled(int length, byte value)
    {
        var data = new byte[length];
        data.AsSpan().Fill(value);
        return data;
    }

    [CephFact]
    public async Task Geometry_IsTheImageSizeInBlocks_AndAWriteWithFuaReadsBack()
    {
        await using var device = NewDevice("geometry");
        Assert.Equal((32L << 20) / 512, device.Geometry.BlockCount);
        Assert.True((device.Features & BlockDeviceFeatures.VolatileWriteCache) != 0);

        await device.WriteAsync(100, Filled(4096, 0x5A), WriteOptions.ForceUnitAccess);
        var back = new byte[4096];
        await device.ReadAsync(100, back);
        Assert.All(back, b => Assert.Equal(0x5A, b));
    }

    [CephFact]
    public async Task CompareAndWrite_ReturnsTheMismatchFromTheStartOfTheCompareData()
    {
        await using var device = NewDevice("caw");
        Assert.Equal(1, device.MaxCompareAndWriteBlocks);
        var lba = (Object / 512) + 3;
        await device.WriteAsync(lba, Filled(512, 1));

        var compare = Filled(512, 1);
        compare[77] = 9;
        Assert.Equal(77, await device.CompareAndWriteAsync(lba, compare, Filled(512, 2)));
        Assert.Equal(-1, await device.CompareAndWriteAsync(lba, Filled(512, 1), Filled(512, 2), WriteOptions.ForceUnitAccess));
        var back = new byte[512];
        await device.ReadAsync(lba, back);
        Assert.All(back, b => Assert.Equal(2, b));
    }

    [CephFact]
    public async Task FourKilobyteBlocks_OfferNoAtomicCompareAndWrite()
    {
        await using var device = NewDevice("caw-4k", blockSize: 4096);
        Assert.Equal(0, device.MaxCompareAndWriteBlocks);
    }

    [CephFact]
    public async Task QueryAllocation_ReportsHolesAndData_AndUnmappedBlocksAfterUnmap()
    {
        await using var device = NewDevice("allocation");
        var blocksPerObject = Object / 512;
        await device.WriteAsync(blocksPerObject * 2, Filled(8192, 7));

        var first = await device.QueryAllocationAsync(0, device.Geometry.BlockCount);
        Assert.Equal(new AllocationRun(0, blocksPerObject * 2, Mapped: false), first);
        var data = await device.QueryAllocationAsync(blocksPerObject * 2, device.Geometry.BlockCount - (blocksPerObject * 2));
        Assert.True(data.Mapped);
        Assert.Equal(blocksPerObject * 2, data.Lba);
        Assert.InRange(data.BlockCount, 16, blocksPerObject);

        await device.UnmapAsync(blocksPerObject * 2, blocksPerObject);
        var after = await device.QueryAllocationAsync(blocksPerObject * 2, blocksPerObject);
        Assert.False(after.Mapped);
        var back = new byte[8192];
        await device.ReadAsync(blocksPerObject * 2, back);
        Assert.All(back, b => Assert.Equal(0, b));
    }

    [CephFact]
    public async Task WriteZeroes_ReadsBackAsZeros()
    {
        await using var device = NewDevice("zeroes");
        await device.WriteAsync(0, Filled(65536, 3));
        await device.WriteZeroesAsync(8, 16);
        var back = new byte[65536];
        await device.ReadAsync(0, back);
        Assert.All(back.AsSpan(0, 4096).ToArray(), b => Assert.Equal(3, b));
        Assert.All(back.AsSpan(4096, 8192).ToArray(), b => Assert.Equal(0, b));
        Assert.All(back.AsSpan(12288).ToArray(), b => Assert.Equal(3, b));
    }

    [CephFact]
    public async Task ResizeByAnotherClient_ChangesTheGeometry_AndRaisesGeometryChanged()
    {
        await using var device = NewDevice("outside-resize", 8L << 20);
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        device.GeometryChanged += (_, _) => changed.TrySetResult();

        await fixture.Cluster.RbdAsync(["resize", "--size", "12M", fixture.PoolName + "/" + device.Image.Name]);

        await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((12L << 20) / 512, device.Geometry.BlockCount);
    }

    [CephFact]
    public async Task Grow_ResizesTheImage()
    {
        await using var device = NewDevice("grow", 8L << 20);
        await device.GrowAsync((16L << 20) / 512);
        Assert.Equal(16L << 20, device.Image.GetSize());
        Assert.Equal((16L << 20) / 512, device.Geometry.BlockCount);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await device.GrowAsync(10));
    }

    [CephFact]
    public async Task ReadsAndWrites_AllocateNothingManagedPerIo()
    {
        // Architecture habit 3 for the rbd path: the operation, its GCHandle and its completion are
        // pooled, the awaits use pooled state machines. A Task, delegate or GCHandle made per I/O
        // would cost at least 24 bytes each time (the "pool/image" string built per request was
        // about 150 bytes per I/O); the budget, 16 bytes per I/O, leaves room only for background
        // allocations elsewhere in the process (all threads count: completions run on the thread pool).
        await using var device = NewDevice("allocations", 8L << 20, blockSize: 4096);
        var data = Filled(4096, 0x42);
        var back = new byte[4096];
        for (var i = 0; i < 50; i++)
        {
            await device.WriteAsync(i, data).ConfigureAwait(false);
            await device.ReadAsync(i, back).ConfigureAwait(false);
        }

        // Five batches, judged by the cheapest: what other tests left running (watches, lease
        // timers) allocates now and then, a per-I/O allocation shows in every batch.
        const int Ios = 400;
        var cheapest = long.MaxValue;
        for (var batch = 0; batch < 5; batch++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < Ios / 2; i++)
            {
                await device.WriteAsync(i % 1024, data).ConfigureAwait(false);
                await device.ReadAsync(i % 1024, back).ConfigureAwait(false);
            }

            cheapest = Math.Min(cheapest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        Assert.Equal(data, back);
        Assert.True(cheapest < Ios * 16, $"{cheapest} bytes allocated over {Ios} I/Os in the cheapest batch");
    }
}
