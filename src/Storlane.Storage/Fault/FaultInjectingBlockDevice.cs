namespace Storlane.Storage.Fault;

/// <summary>
/// A decorator that injects faults into any <see cref="IBlockDevice"/>, switchable while I/O runs
/// (after FASTER's <c>SimulatedFlakyDevice</c>): hang an operation until <see cref="ReleaseHung"/> or
/// its cancellation (what an ABORT TASK or LOGICAL UNIT RESET does), delay it, or fail it with an
/// <see cref="InjectedIOException"/>; per operation kind and optionally per LBA range
/// (<see cref="FaultRule"/>). The newest matching rule wins. With no rule set an operation goes
/// straight to the inner device, without allocating.
/// </summary>
public sealed class FaultInjectingBlockDevice : IBlockDevice
{
    private readonly IBlockDevice _inner;
    private readonly bool _leaveInnerOpen;
    private readonly TimeProvider _time;
    private readonly Lock _rulesLock = new();
    private ActiveRule[] _rules = [];
    private TaskCompletionSource _release = NewSignal();
    private TaskCompletionSource _hangStarted = NewSignal();
    private long _hangs;
    private long _delays;
    private long _failures;
    private int _hungNow;

    public FaultInjectingBlockDevice(IBlockDevice inner, bool leaveInnerOpen = false, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _leaveInnerOpen = leaveInnerOpen;
        _time = time ?? TimeProvider.System;
    }

    public IBlockDevice Inner => _inner;

    public BlockGeometry Geometry => _inner.Geometry;

    public BlockDeviceFeatures Features => _inner.Features;

    /// <summary>Operations that have been hung (including ones hung now).</summary>
    public long InjectedHangs => Interlocked.Read(ref _hangs);

    public long InjectedDelays => Interlocked.Read(ref _delays);

    public long InjectedFailures => Interlocked.Read(ref _failures);

    /// <summary>Operations waiting in a hang at this moment.</summary>
    public int HungNow => Volatile.Read(ref _hungNow);

    /// <summary>The rules in force, newest first.</summary>
    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            var rules = Volatile.Read(ref _rules);
            var list = new List<FaultRule>(rules.Length);
            foreach (var rule in rules)
            {
                if (!rule.Expired)
                {
                    list.Add(rule.Rule);
                }
            }

            return list;
        }
    }

    /// <summary>Adds a rule; it wins over older ones that match the same operation.</summary>
    public void Inject(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Operations == FaultOperations.None || (rule.Operations & ~FaultOperations.All) != 0)
        {
            throw new ArgumentException($"a fault rule needs operations among {FaultOperations.All}, not {rule.Operations}", nameof(rule));
        }

        if (rule.FirstLba < 0 || rule.BlockCount <= 0)
        {
            throw new ArgumentException($"the LBA range {rule.FirstLba} + {rule.BlockCount} is empty or negative", nameof(rule));
        }

        if (rule.Kind == FaultKind.Delay && rule.Delay <= TimeSpan.Zero)
        {
            throw new ArgumentException("a delay fault needs a positive Delay", nameof(rule));
        }

        if (rule.Times is <= 0)
        {
            throw new ArgumentException("Times must be positive (or null for no limit)", nameof(rule));
        }

        lock (_rulesLock)
        {
            var current = _rules;
            var next = new ActiveRule[current.Length + 1];
            next[0] = new ActiveRule(rule);
            current.CopyTo(next, 1);
            Volatile.Write(ref _rules, next);
        }
    }

    /// <summary>Hangs matching operations until <see cref="ReleaseHung"/>, <see cref="Clear"/> or cancellation.</summary>
    public void Hang(FaultOperations operations, long firstLba = 0, long blockCount = long.MaxValue) =>
        Inject(new FaultRule { Kind = FaultKind.Hang, Operations = operations, FirstLba = firstLba, BlockCount = blockCount });

    /// <summary>Hangs matching operations and ignores their cancellation (a wedged device): only <see cref="ReleaseHung"/> or <see cref="Clear"/> end them.</summary>
    public void Wedge(FaultOperations operations, long firstLba = 0, long blockCount = long.MaxValue) =>
        Inject(new FaultRule { Kind = FaultKind.Hang, Operations = operations, FirstLba = firstLba, BlockCount = blockCount, IgnoreCancellation = true });

    public void Delay(FaultOperations operations, TimeSpan delay, long firstLba = 0, long blockCount = long.MaxValue) =>
        Inject(new FaultRule { Kind = FaultKind.Delay, Operations = operations, Delay = delay, FirstLba = firstLba, BlockCount = blockCount });

    public void Fail(FaultOperations operations, long firstLba = 0, long blockCount = long.MaxValue) =>
        Inject(new FaultRule { Kind = FaultKind.Fail, Operations = operations, FirstLba = firstLba, BlockCount = blockCount });

    /// <summary>Lets every operation hung right now continue to the device; rules stay, so later operations may hang again.</summary>
    public void ReleaseHung()
    {
        TaskCompletionSource released;
        lock (_rulesLock)
        {
            released = _release;
            _release = NewSignal();
        }

        released.TrySetResult();
    }

    /// <summary>Removes the rules touching <paramref name="operations"/> (a rule for other operations too keeps those) and releases hung operations.</summary>
    public void Clear(FaultOperations operations = FaultOperations.All)
    {
        lock (_rulesLock)
        {
            var kept = new List<ActiveRule>(_rules.Length);
            foreach (var rule in _rules)
            {
                var left = rule.Rule.Operations & ~operations;
                if (!rule.Expired && left != FaultOperations.None)
                {
                    kept.Add(left == rule.Rule.Operations ? rule : rule.Narrowed(left));
                }
            }

            Volatile.Write(ref _rules, [.. kept]);
        }

        ReleaseHung();
    }

    /// <summary>Completes once at least <paramref name="count"/> operations are hung at the same time.</summary>
    public async Task WaitUntilHungAsync(int count = 1, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task started;
            lock (_rulesLock)
            {
                if (Volatile.Read(ref _hungNow) >= count)
                {
                    return;
                }

                started = _hangStarted.Task;
            }

            await started.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var rule = Match(FaultOperations.Read, lba, destination.Length / Geometry.LogicalBlockSize);
        return rule is null ? _inner.ReadAsync(lba, destination, cancellationToken) : ReadFaultedAsync(rule, lba, destination, cancellationToken);
    }

    public ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
    {
        var rule = Match(FaultOperations.Write, lba, source.Length / Geometry.LogicalBlockSize);
        return rule is null ? _inner.WriteAsync(lba, source, options, cancellationToken) : WriteFaultedAsync(rule, lba, source, options, cancellationToken);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var rule = Match(FaultOperations.Flush, 0, 0);
        return rule is null ? _inner.FlushAsync(cancellationToken) : FlushFaultedAsync(rule, cancellationToken);
    }

    public ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default)
    {
        var rule = Match(FaultOperations.Unmap, lba, blockCount);
        return rule is null ? _inner.UnmapAsync(lba, blockCount, cancellationToken) : UnmapFaultedAsync(rule, lba, blockCount, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Clear();
        if (!_leaveInnerOpen)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The newest live rule matching the operation that still has hits left (taking one), or null.</summary>
    private FaultRule? Match(FaultOperations operation, long lba, long blocks)
    {
        var rules = Volatile.Read(ref _rules);
        for (var i = 0; i < rules.Length; i++)
        {
            if (rules[i].Rule.Matches(operation, lba, blocks) && rules[i].TryTake())
            {
                return rules[i].Rule;
            }
        }

        return null;
    }

    private async ValueTask ReadFaultedAsync(FaultRule rule, long lba, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await ApplyAsync(rule, "read", lba, cancellationToken).ConfigureAwait(false);
        await _inner.ReadAsync(lba, destination, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteFaultedAsync(FaultRule rule, long lba, ReadOnlyMemory<byte> source, WriteOptions options, CancellationToken cancellationToken)
    {
        await ApplyAsync(rule, "write", lba, cancellationToken).ConfigureAwait(false);
        await _inner.WriteAsync(lba, source, options, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask FlushFaultedAsync(FaultRule rule, CancellationToken cancellationToken)
    {
        await ApplyAsync(rule, "flush", -1, cancellationToken).ConfigureAwait(false);
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask UnmapFaultedAsync(FaultRule rule, long lba, long blockCount, CancellationToken cancellationToken)
    {
        await ApplyAsync(rule, "unmap", lba, cancellationToken).ConfigureAwait(false);
        await _inner.UnmapAsync(lba, blockCount, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ApplyAsync(FaultRule rule, string operation, long lba, CancellationToken cancellationToken)
    {
        switch (rule.Kind)
        {
            case FaultKind.Fail:
                Interlocked.Increment(ref _failures);
                throw new InjectedIOException(lba < 0 ? $"injected {operation} error" : $"injected {operation} error at LBA {lba}");

            case FaultKind.Delay:
                Interlocked.Increment(ref _delays);
                await Task.Delay(rule.Delay, _time, cancellationToken).ConfigureAwait(false);
                return;

            default:
                await HangAsync(rule.IgnoreCancellation ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private async ValueTask HangAsync(CancellationToken cancellationToken)
    {
        Task release;
        TaskCompletionSource started;
        lock (_rulesLock)
        {
            release = _release.Task;
            Interlocked.Increment(ref _hangs);
            Interlocked.Increment(ref _hungNow);
            started = _hangStarted;
            _hangStarted = NewSignal();
        }

        started.TrySetResult();
        try
        {
            await release.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _hungNow);
        }
    }

    /// <summary>A rule in force, with its remaining hits when it has a limit.</summary>
    private sealed class ActiveRule(FaultRule rule)
    {
        private int _remaining = rule.Times ?? int.MaxValue;

        public FaultRule Rule { get; } = rule;

        public bool Expired => Rule.Times is not null && Volatile.Read(ref _remaining) <= 0;

        public bool TryTake()
        {
            if (Rule.Times is null)
            {
                return true;
            }

            return Interlocked.Decrement(ref _remaining) >= 0;
        }

        public ActiveRule Narrowed(FaultOperations operations)
        {
            var narrowed = new ActiveRule(Rule with { Operations = operations });
            Volatile.Write(ref narrowed._remaining, Volatile.Read(ref _remaining));
            return narrowed;
        }
    }
}
