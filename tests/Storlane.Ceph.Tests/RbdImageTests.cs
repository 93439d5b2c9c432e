using Storlane.Ceph.Rbd;
using Storlane.Ceph.Tests.Infrastructure;

namespace Storlane.Ceph.Tests;

[Collection(CephCollection.Name)]
public sealed class RbdImageTests(CephClusterFixture fixture)
{
    private const long ImageSize = 64L << 20;

    private RbdImage NewImage(string name, long size = ImageSize)
    {
        var imageName = fixture.NewImageName(name);
        RbdImage.Create(fixture.Pool, imageName, size);
        return RbdImage.Open(fixture.Pool, imageName);
    }

    private static byte[] Pattern(int length, byte seed)
    {
        var data = new byte[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = (byte)(seed + (i * 7));
        }

        return data;
    }

    [CephFact]
    public async Task Write_ThenRead_ReturnsTheData_AndFlushSucceeds()
    {
        using var image = NewImage("roundtrip");
        var data = Pattern(128 * 1024, 3);
        await image.WriteAsync(4096 * 5, data);
        await image.FlushAsync();

        var back = new byte[data.Length];
        await image.ReadAsync(4096 * 5, back);
        Assert.Equal(data, back);
    }

    [CephFact]
    public async Task ManyConcurrentRequests_AllCompleteWithTheirOwnData()
    {
        using var image = NewImage("concurrent");
        var writes = new Task[64];
        for (var i = 0; i < writes.Length; i++)
        {
            writes[i] = image.WriteAsync(i * 4096L, Pattern(4096, (byte)i)).AsTask();
        }

        await Task.WhenAll(writes);
        var reads = new Task<byte[]>[writes.Length];
        for (var i = 0; i < reads.Length; i++)
        {
            var offset = i * 4096L;
            reads[i] = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                await image.ReadAsync(offset, buffer);
                return buffer;
            });
        }

        for (var i = 0; i < reads.Length; i++)
        {
            Assert.Equal(Pattern(4096, (byte)i), await reads[i]);
        }
    }

    [CephFact]
    public async Task CompareAndWrite_WritesOnlyWhenTheCompareDataMatches_AndReportsTheFirstMismatch()
    {
        using var image = NewImage("caw");
        const long Offset = (4L << 20) + 8192;
        var original = Pattern(512, 1);
        await image.WriteAsync(Offset, original);

        var replacement = Pattern(512, 99);
        Assert.Equal(-1, await image.CompareAndWriteAsync(Offset, original, replacement));

        var expected = (byte[])replacement.Clone();
        expected[100] ^= 0xFF;
        Assert.Equal(Offset + 100, await image.CompareAndWriteAsync(Offset, expected, Pattern(512, 6)));

        var back = new byte[512];
        await image.ReadAsync(Offset, back);
        Assert.Equal(replacement, back);
    }

    [CephFact]
    public async Task CompareAndWrite_LongerThanLibrbdAllows_IsInvalidArgument_AndWritesNothing()
    {
        using var image = NewImage("caw-long");
        var length = RbdImage.MaxCompareAndWriteBytes * 2;
        var original = Pattern(length, 1);
        await image.WriteAsync(0, original);

        var error = await Assert.ThrowsAsync<CephException>(() => image.CompareAndWriteAsync(0, original, Pattern(length, 2)).AsTask());
        Assert.Equal(CephException.InvalidArgument, error.ErrorCode);
        var back = new byte[length];
        await image.ReadAsync(0, back);
        Assert.Equal(original, back);
    }

    [CephFact]
    public async Task DiscardAndWriteZeroes_ReadBackAsZeros_AndDiscardedObjectsLeaveTheAllocation()
    {
        using var image = NewImage("zeros");
        const long Object = 4L << 20;
        await image.WriteAsync(0, Pattern(65536, 9));
        await image.WriteAsync(Object * 2, Pattern(65536, 10));
        await image.WriteAsync(Object * 3, Pattern(65536, 11));

        await image.WriteZeroesAsync(4096, 8192);
        await image.DiscardAsync(Object * 2, Object);

        var back = new byte[65536];
        await image.ReadAsync(0, back);
        Assert.All(back.AsSpan(4096, 8192).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(Pattern(65536, 9).AsSpan(0, 4096).ToArray(), back.AsSpan(0, 4096).ToArray());
        await image.ReadAsync(Object * 2, back);
        Assert.All(back, b => Assert.Equal(0, b));

        var extents = await image.ListExtentsAsync(0, ImageSize);
        Assert.Contains(extents, e => e.Offset == 0);
        Assert.Contains(extents, e => e.Offset <= Object * 3 && e.End > Object * 3);
        Assert.DoesNotContain(extents, e => e.Offset < Object * 3 && e.End > Object * 2);
        Assert.DoesNotContain(extents, e => e.Offset >= Object * 4);
    }

    [CephFact]
    public async Task ListExtents_StopsAtTheLimit()
    {
        using var image = NewImage("extents");
        const long Object = 4L << 20;
        for (var i = 0; i < 4; i++)
        {
            await image.WriteAsync(i * Object * 2, Pattern(4096, (byte)i));
        }

        var one = await image.ListExtentsAsync(0, ImageSize, maxExtents: 1);
        Assert.Single(one);
        Assert.Equal(0, one[0].Offset);
        Assert.Equal(4, (await image.ListExtentsAsync(0, ImageSize)).Count);
    }

    [CephFact]
    public async Task Resize_ByAnotherClient_IsSeenWithAnUpdateNotification()
    {
        using var image = NewImage("resize", 8L << 20);
        var notified = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = image.WatchUpdates(() => notified.TrySetResult());

        await fixture.Cluster.RbdAsync(["resize", "--size", "16M", fixture.PoolName + "/" + image.Name]);

        await notified.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(16L << 20, image.GetSize());
        Assert.False(string.IsNullOrEmpty(image.Id));
    }

    [CephFact]
    public void Open_AnImageThatDoesNotExist_IsNoEntryNamingIt()
    {
        var error = Assert.Throws<CephException>(() => RbdImage.Open(fixture.Pool, "no-such-image"));
        Assert.Equal(CephException.NoEntry, error.ErrorCode);
        Assert.Contains(fixture.PoolName + "/no-such-image", error.Message, StringComparison.Ordinal);
    }
}
