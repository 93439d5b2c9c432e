using System.Diagnostics;
using Storlane.Bench.Targets;
using Storlane.Storage;

namespace Storlane.Bench.Tests;

/// <summary>In-memory targets for the engine's tests, some with a twist.</summary>
internal static class TestTargets
{
    public static BlockDeviceTarget Memory(long bytes = 64 << 20, int sector = 512) =>
        new(new MemoryBlockDevice(BlockGeometry.FromSize(bytes, sector, sector)), $"memory:{bytes}");
}

/// <summary>Forwards to an inner target; subclasses change one thing.</summary>
internal abstract class DecoratingTarget(IBenchTarget inner) : IBenchTarget
{
    public BenchTargetInfo Info => inner.Info;

    public int BufferAlignment => inner.BufferAlignment;

    public virtual ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) => inner.ReadAsync(offset, destination, cancellationToken);

    public virtual ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) => inner.WriteAsync(offset, source, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>Every I/O takes at least <c>delay</c>, so I/Os really overlap and queue depth can be observed.</summary>
internal sealed class SlowTarget(IBenchTarget inner, TimeSpan delay) : DecoratingTarget(inner)
{
    public override async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        await base.ReadAsync(offset, destination, cancellationToken);
    }

    public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        await base.WriteAsync(offset, source, cancellationToken);
    }
}

/// <summary>Flips one byte in the data returned for any read covering <c>corruptOffset</c> (a bad sector that returns garbage).</summary>
internal sealed class CorruptingTarget(IBenchTarget inner, long corruptOffset) : DecoratingTarget(inner)
{
    public int Corrupted { get; private set; }

    public override async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await base.ReadAsync(offset, destination, cancellationToken);
        if (corruptOffset >= offset && corruptOffset < offset + destination.Length)
        {
            destination.Span[(int)(corruptOffset - offset) + 100] ^= 0x5A;
            Corrupted++;
        }
    }
}

/// <summary>Records every I/O's offset, length and direction, in order.</summary>
internal sealed class RecordingTarget(IBenchTarget inner) : DecoratingTarget(inner)
{
    private readonly Lock _lock = new();

    public List<(bool IsRead, long Offset, int Length)> Ios { get; } = [];

    public override ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Ios.Add((true, offset, destination.Length));
        }

        return base.ReadAsync(offset, destination, cancellationToken);
    }

    public override ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Ios.Add((false, offset, source.Length));
        }

        return base.WriteAsync(offset, source, cancellationToken);
    }
}

/// <summary>Fails every <c>failEvery</c>-th I/O with an IOException, as a device whose errors reach the application.</summary>
internal sealed class FailingTarget(IBenchTarget inner, int failEvery) : DecoratingTarget(inner)
{
    private int _count;

    public override ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        Interlocked.Increment(ref _count) % failEvery == 0
            ? ValueTask.FromException(new IOException("medium error (injected)"))
            : base.ReadAsync(offset, destination, cancellationToken);
}

/// <summary>
/// An in-memory stand-in for a multipath target (unit tests of the engine only; the real one is
/// tested against a real target): every <c>failEvery</c>-th read fails, two "paths" share the I/Os
/// (counted as they are issued), and a failover event fires at each I/O number in <c>failoverAt</c>.
/// </summary>
internal sealed class FakeMultipathTarget(IBenchTarget inner, int failEvery, params int[] failoverAt) : DecoratingTarget(inner), IMultipathTarget
{
    private readonly long[] _completed = new long[2];
    private int _count;

    public event Action<Initiator.Multipath.FailoverEvent>? FailoverCompleted;

    public IReadOnlyList<Metrics.PathCounters> SnapshotPaths() =>
        [new("a:3260", Volatile.Read(ref _completed[0]), 0, 0, "active"), new("b:3260", Volatile.Read(ref _completed[1]), 0, 0, "active")];

    /// <summary>Raises a failover that began at <paramref name="startTimestamp"/> (default: <paramref name="duration"/> ago, as if it closed now).</summary>
    public void RaiseFailover(TimeSpan duration, long? startTimestamp = null) =>
        FailoverCompleted?.Invoke(new("a:3260", "b:3260", duration, 3, "connection reset", startTimestamp ?? (Stopwatch.GetTimestamp() - (duration.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond))));

    public override ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var count = Interlocked.Increment(ref _count);
        if (Array.IndexOf(failoverAt, count) >= 0)
        {
            RaiseFailover(TimeSpan.FromMilliseconds(20));
        }

        if (count % failEvery == 0)
        {
            return ValueTask.FromException(new IOException("all 2 paths down (injected)"));
        }

        Interlocked.Increment(ref _completed[count % 2]);
        return base.ReadAsync(offset, destination, cancellationToken);
    }
}
