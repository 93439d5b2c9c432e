using System.Collections.Concurrent;
using System.Text;
using Storlane.Ceph.Rados;
using Storlane.Ceph.Tests.Infrastructure;
using Storlane.Scsi;

namespace Storlane.Ceph.Tests;

/// <summary>
/// The reservation store of an rbd LU against a real cluster: two gateways (two librados clients)
/// on one state object, compare-and-swap on the object version, and watch/notify that delivers a
/// change to the other gateway before the writer's call returns.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class ReservationsRadosStateTests(CephClusterFixture fixture)
{
    private sealed class Recorder : ISharedStateListener
    {
        public ConcurrentQueue<SharedStateImage> Changes { get; } = new();

        public ConcurrentQueue<bool> Availability { get; } = new();

        public void Changed(SharedStateImage image) => Changes.Enqueue(image);

        public void AvailabilityChanged(bool available) => Availability.Enqueue(available);
    }

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Text(SharedStateImage image) => Encoding.ASCII.GetString(image.Content.Span);

    [CephFact]
    public async Task TwoGateways_CompareAndSwap_OnlyTheWriterOfTheCurrentVersionWins_AndTheOtherLearnsBeforeTheWriteReturns()
    {
        var image = fixture.NewImageName("pr-state");
        using var otherCluster = await RadosCluster.ConnectAsync(new RadosConnectOptions { ConfPath = fixture.Cluster.ConfPath });
        using var otherPool = otherCluster.OpenPool(fixture.PoolName);
        using var one = new RadosLuSharedState(fixture.Pool, image);
        using var two = new RadosLuSharedState(otherPool, image);
        var heardByOne = new Recorder();
        var heardByTwo = new Recorder();
        one.Subscribe(heardByOne);
        two.Subscribe(heardByTwo);

        Assert.Equal(SharedStatePersistence.Always, one.Persistence);

        // Watching needs the object, so the first watcher created it empty: no state, but a version.
        var start = await one.LoadAsync(CancellationToken.None);
        Assert.True(start.Content.IsEmpty);
        Assert.Null(await one.TryReplaceAsync(0, Bytes("create"), durable: true, CancellationToken.None));

        var first = await one.TryReplaceAsync(start.Version, Bytes("one"), durable: true, CancellationToken.None);
        Assert.NotNull(first);

        // Gateway two installed it in its watch callback, before the notify completed.
        var learnt = Assert.Single(heardByTwo.Changes);
        Assert.Equal(first.Value, learnt.Version);
        Assert.Equal("one", Text(learnt));
        Assert.Empty(heardByOne.Changes);

        // Computed from a stale version: refused (exclusive create, then assert_version), nothing changed.
        Assert.Null(await two.TryReplaceAsync(0, Bytes("stale"), durable: true, CancellationToken.None));
        Assert.Null(await two.TryReplaceAsync(first.Value + 5, Bytes("future"), durable: true, CancellationToken.None));
        Assert.Null(await two.TryReplaceAsync(first.Value - 1, Bytes("past"), durable: true, CancellationToken.None));
        var current = await two.LoadAsync(CancellationToken.None);
        Assert.Equal(first.Value, current.Version);
        Assert.Equal("one", Text(current));

        var second = await two.TryReplaceAsync(current.Version, Bytes("two"), durable: true, CancellationToken.None);
        Assert.NotNull(second);
        Assert.True(second.Value > first.Value);
        var learntByOne = Assert.Single(heardByOne.Changes);
        Assert.Equal("two", Text(learntByOne));
        Assert.Equal(second.Value, learntByOne.Version);
        Assert.Single(heardByTwo.Changes);
        Assert.DoesNotContain(false, heardByOne.Availability);
        Assert.DoesNotContain(false, heardByTwo.Availability);
    }

    [CephFact]
    public async Task ALaterGateway_LoadsTheStoredState_ItOutlivesTheWriter()
    {
        var image = fixture.NewImageName("pr-keep");
        ulong version;
        using (var writer = new RadosLuSharedState(fixture.Pool, image))
        {
            version = (await writer.TryReplaceAsync(0, Bytes("kept"), durable: false, CancellationToken.None))!.Value;
        }

        using var later = new RadosLuSharedState(fixture.Pool, image);
        var loaded = await later.LoadAsync(CancellationToken.None);
        Assert.Equal(version, loaded.Version);
        Assert.Equal("kept", Text(loaded));
    }
}
