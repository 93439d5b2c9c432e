using Microsoft.Extensions.Time.Testing;
using Storlane.Storage.Fault;

namespace Storlane.Storage.Tests.Fault;

public class FaultInjectingBlockDeviceTests
{
    private const int BlockSize = 512;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static FaultInjectingBlockDevice Create(out MemoryBlockDevice inner, TimeProvider? time = null)
    {
        inner = new MemoryBlockDevice(new BlockGeometry(BlockSize, BlockSize, 1024));
        return new FaultInjectingBlockDevice(inner, time: time);
    }

    private static byte[] Pattern(int blocks, byte seed)
    {
        var data = new byte[blocks * BlockSize];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(seed + i);
        }

        return data;
    }

    [Fact]
    public async Task NoRules_EveryOperationReachesTheInnerDevice()
    {
        await using var device = Create(out var inner);
        var data = Pattern(4, 3);
        await device.WriteAsync(8, data);
        var back = new byte[data.Length];
        await inner.ReadAsync(8, back);
        Assert.Equal(data, back);
        await device.UnmapAsync(8, 4);
        await device.FlushAsync();
        await device.ReadAsync(8, back);
        Assert.All(back, b => Assert.Equal(0, b));
        Assert.Equal(0, device.InjectedHangs + device.InjectedDelays + device.InjectedFailures);
        Assert.Equal(inner.Geometry, device.Geometry);
        Assert.Equal(inner.Features, device.Features);
    }

    [Fact]
    public async Task HungRead_WaitsUntilReleased_ThenReadsTheData()
    {
        await using var device = Create(out var inner);
        var data = Pattern(2, 9);
        await inner.WriteAsync(0, data);
        device.Hang(FaultOperations.Read);

        var back = new byte[data.Length];
        var read = device.ReadAsync(0, back).AsTask();
        await device.WaitUntilHungAsync(1).WaitAsync(Patience);
        Assert.False(read.IsCompleted);
        Assert.Equal(1, device.HungNow);

        device.ReleaseHung();
        await read.WaitAsync(Patience);
        Assert.Equal(data, back);
        Assert.Equal(0, device.HungNow);
        Assert.Equal(1, device.InjectedHangs);
    }

    [Fact]
    public async Task HungOperation_IsEndedByItsCancellation()
    {
        await using var device = Create(out _);
        device.Hang(FaultOperations.Write);
        using var abort = new CancellationTokenSource();
        var write = device.WriteAsync(0, Pattern(1, 1), WriteOptions.None, abort.Token).AsTask();
        await device.WaitUntilHungAsync(1).WaitAsync(Patience);

        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(Patience));
        Assert.Equal(0, device.HungNow);
    }

    [Fact]
    public async Task WedgedOperation_IgnoresCancellation_UntilReleased()
    {
        await using var device = Create(out _);
        device.Wedge(FaultOperations.Read);
        using var abort = new CancellationTokenSource();
        var read = device.ReadAsync(0, new byte[BlockSize], abort.Token).AsTask();
        await device.WaitUntilHungAsync(1).WaitAsync(Patience);

        await abort.CancelAsync();
        await Task.Delay(50); // room for a (wrong) cancellation to finish the read
        Assert.False(read.IsCompleted);
        Assert.Equal(1, device.HungNow);

        device.ReleaseHung();
        await read.WaitAsync(Patience);
    }

    [Fact]
    public async Task HangOnReads_LeavesWritesFlushAndUnmapRunning()
    {
        await using var device = Create(out var inner);
        device.Hang(FaultOperations.Read);
        var read = device.ReadAsync(0, new byte[BlockSize]).AsTask();
        await device.WaitUntilHungAsync(1).WaitAsync(Patience);

        var data = Pattern(1, 5);
        await device.WriteAsync(0, data).AsTask().WaitAsync(Patience);
        await device.FlushAsync().AsTask().WaitAsync(Patience);
        await device.UnmapAsync(10, 1).AsTask().WaitAsync(Patience);
        Assert.False(read.IsCompleted);

        device.Clear();
        await read.WaitAsync(Patience);
        Assert.Empty(device.Rules);
    }

    [Fact]
    public async Task FailedWrite_ThrowsInjectedIOException_AndLeavesTheDeviceUnchanged()
    {
        await using var device = Create(out var inner);
        device.Fail(FaultOperations.Write);
        var error = await Assert.ThrowsAsync<InjectedIOException>(() => device.WriteAsync(7, Pattern(1, 1)).AsTask());
        Assert.Contains("LBA 7", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(error);

        var back = new byte[BlockSize];
        await inner.ReadAsync(7, back);
        Assert.All(back, b => Assert.Equal(0, b));
        Assert.Equal(1, device.InjectedFailures);
    }

    [Fact]
    public async Task RangeRule_HitsOnlyIoOverlappingTheRange()
    {
        await using var device = Create(out _);
        device.Fail(FaultOperations.Read | FaultOperations.Unmap, firstLba: 100, blockCount: 10);
        var buffer = new byte[4 * BlockSize];

        await device.ReadAsync(96, buffer); // 96..99 ends just before the range
        await device.ReadAsync(110, buffer); // starts just after it
        await Assert.ThrowsAsync<InjectedIOException>(() => device.ReadAsync(97, buffer).AsTask()); // 97..100 touches 100
        await Assert.ThrowsAsync<InjectedIOException>(() => device.ReadAsync(109, buffer).AsTask());
        await Assert.ThrowsAsync<InjectedIOException>(() => device.UnmapAsync(0, 1000).AsTask()); // covers it
        await device.FlushAsync(); // names no blocks: a range rule never matches it
        Assert.Equal(3, device.InjectedFailures);
    }

    [Fact]
    public async Task DelayedFlush_CompletesOnlyAfterTheDelayHasPassed()
    {
        var time = new FakeTimeProvider();
        await using var device = Create(out _, time);
        device.Delay(FaultOperations.Flush, TimeSpan.FromSeconds(2));
        var flush = device.FlushAsync().AsTask();
        Assert.False(flush.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(flush.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await flush.WaitAsync(Patience);
        Assert.Equal(1, device.InjectedDelays);
    }

    [Fact]
    public async Task RuleWithTimes_ExpiresAfterThatManyHits()
    {
        await using var device = Create(out _);
        device.Inject(new FaultRule { Kind = FaultKind.Fail, Operations = FaultOperations.Read, Times = 2 });
        var buffer = new byte[BlockSize];
        await Assert.ThrowsAsync<InjectedIOException>(() => device.ReadAsync(0, buffer).AsTask());
        await Assert.ThrowsAsync<InjectedIOException>(() => device.ReadAsync(0, buffer).AsTask());
        await device.ReadAsync(0, buffer);
        Assert.Equal(2, device.InjectedFailures);
        Assert.Empty(device.Rules);
    }

    [Fact]
    public async Task NewestMatchingRule_Wins()
    {
        await using var device = Create(out _);
        device.Hang(FaultOperations.All);
        device.Fail(FaultOperations.Read);
        await Assert.ThrowsAsync<InjectedIOException>(() => device.ReadAsync(0, new byte[BlockSize]).AsTask());
        Assert.Equal(0, device.InjectedHangs);
    }

    [Fact]
    public async Task ClearOfSomeOperations_KeepsTheRuleForTheOthers_AndReleasesHungOnes()
    {
        await using var device = Create(out _);
        device.Hang(FaultOperations.Read | FaultOperations.Write);
        var read = device.ReadAsync(0, new byte[BlockSize]).AsTask();
        await device.WaitUntilHungAsync(1).WaitAsync(Patience);

        device.Clear(FaultOperations.Read);
        await read.WaitAsync(Patience);
        var rule = Assert.Single(device.Rules);
        Assert.Equal(FaultOperations.Write, rule.Operations);

        var write = device.WriteAsync(0, Pattern(1, 2)).AsTask();
        await device.WaitUntilHungAsync(1).WaitAsync(Patience);
        Assert.Equal(2, device.InjectedHangs);
        device.Clear();
        await write.WaitAsync(Patience);
    }

    [Theory]
    [InlineData(FaultOperations.None, 0, 1)]
    [InlineData(FaultOperations.Read, -1, 1)]
    [InlineData(FaultOperations.Read, 0, 0)]
    public void BadRule_IsRefused(FaultOperations operations, long firstLba, long blockCount)
    {
        var device = new FaultInjectingBlockDevice(new MemoryBlockDevice(new BlockGeometry(BlockSize, BlockSize, 8)));
        Assert.Throws<ArgumentException>(() => device.Fail(operations, firstLba, blockCount));
        Assert.Throws<ArgumentException>(() => device.Delay(FaultOperations.Read, TimeSpan.Zero));
        Assert.Empty(device.Rules);
    }
}
