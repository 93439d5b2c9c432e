using System.Diagnostics;
using Storlane.Bench.Metrics;
using Storlane.Bench.Targets;
using Storlane.Bench.Workload;

namespace Storlane.Bench.Engine;

/// <summary>
/// Runs one workload against one target: per worker, exactly <see cref="WorkloadSpec.QueueDepth"/>
/// slots, each a loop with one I/O in flight, so the queue depth is held without a semaphore. The
/// per-I/O path (plan, issue, time, record) allocates nothing; only throttled or thinking slots
/// allocate their timer. The first I/O error ends the run, except on a multipath target
/// (<see cref="IMultipathTarget"/>), where errors are counted and the run goes on.
/// </summary>
public sealed class WorkloadRunner
{
    /// <summary>Slots whose I/O completes synchronously yield this often, so every slot gets a thread.</summary>
    private const int YieldEvery = 64;
    private const int MaxSeriesSeconds = 3600;

    /// <summary>Finest time series interval (<c>--sample-interval</c>): fine enough to show a failover's dip.</summary>
    public static readonly TimeSpan MinSampleInterval = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan DefaultSampleInterval = TimeSpan.FromSeconds(1);

    private readonly IBenchTarget _target;
    private readonly WorkloadSpec _spec;
    private readonly RateLimiter? _rateLimiter;
    private readonly WrittenMap? _writtenMap;
    private readonly int _verifyUnit;
    private readonly WorkerState[] _workers;
    private readonly IoSlot[][] _slots;
    private readonly IMultipathTarget? _multipath;
    private readonly long _sampleTicks;
    private FailoverRecorder? _recorder;
    private int _measuredStartMarked;
    private long _measureStart;
    private long _measureEnd;
    private long _remainingIos;
    private int _stopping;
    private Exception? _failure;

    private WorkloadRunner(IBenchTarget target, WorkloadSpec spec, TimeSpan sampleInterval)
    {
        _target = target;
        _spec = spec;
        _multipath = target as IMultipathTarget;
        _sampleTicks = Math.Max(1, (long)(sampleInterval.TotalSeconds * Stopwatch.Frequency));
        var info = target.Info;
        var regionStart = spec.RegionOffset;
        var regionEnd = spec.RegionLength == 0 ? info.SizeBytes : regionStart + spec.RegionLength;
        if (spec.RateLimitIops is not null || spec.RateLimitBytesPerSecond is not null)
        {
            _rateLimiter = new RateLimiter(spec.RateLimitIops, spec.RateLimitBytesPerSecond);
        }

        _verifyUnit = info.LogicalBlockSize;
        if (spec.Verify)
        {
            _writtenMap = new WrittenMap(regionStart, regionEnd - regionStart, _verifyUnit);
        }

        var seconds = spec.IoCount is null ? Math.Min(MaxSeriesSeconds, Math.Ceiling(spec.DurationSeconds) + 2) : MaxSeriesSeconds;
        var samples = (int)Math.Ceiling(seconds / sampleInterval.TotalSeconds);
        var alignment = Math.Max(64, target.BufferAlignment);
        _workers = new WorkerState[spec.Workers];
        _slots = new IoSlot[spec.Workers][];
        var stripe = (regionEnd - regionStart) / spec.Workers / info.LogicalBlockSize * info.LogicalBlockSize;
        for (var w = 0; w < spec.Workers; w++)
        {
            // Verify gives each worker its own stripe (no cross-worker races); otherwise all share the
            // region and only the sequential starting points are spread out.
            var stripeStart = regionStart + (w * stripe);
            var (start, end) = spec.Verify ? (stripeStart, stripeStart + stripe) : (regionStart, regionEnd);
            _workers[w] = new WorkerState(new IoPlanner(spec, start, end, stripeStart, HashCode.Combine(spec.Seed, w)));
            _slots[w] = new IoSlot[spec.QueueDepth];
            for (var s = 0; s < spec.QueueDepth; s++)
            {
                var slot = new IoSlot(s, spec.MaxBlockSize, alignment, samples);
                DataFiller.Fill(slot.WriteBuffer.GetSpan(), spec.Pattern, spec.CompressiblePercent, new Random(HashCode.Combine(spec.Seed, w, s)));
                _slots[w][s] = slot;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="spec"/> on <paramref name="target"/> and returns what it measured.
    /// <paramref name="progress"/> receives the fraction done (0-1) a few times a second.
    /// </summary>
    public static Task<TestMeasurement> RunAsync(IBenchTarget target, WorkloadSpec spec, Action<double>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(target, spec, DefaultSampleInterval, progress, cancellationToken);

    /// <summary>As above, with a time series of <paramref name="sampleInterval"/> (at least <see cref="MinSampleInterval"/>) intervals.</summary>
    public static async Task<TestMeasurement> RunAsync(IBenchTarget target, WorkloadSpec spec, TimeSpan sampleInterval, Action<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleInterval, MinSampleInterval);
        var problems = WorkloadValidator.Validate(spec, target.Info.LogicalBlockSize, target.Info.SizeBytes);
        if (problems.Count > 0)
        {
            throw new ArgumentException("workload cannot run on " + target.Info.Spec + ": " + string.Join("; ", problems), nameof(spec));
        }

        var runner = new WorkloadRunner(target, spec, sampleInterval);
        try
        {
            return await runner.RunAsync(progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var slots in runner._slots)
            {
                foreach (var slot in slots)
                {
                    slot.Dispose();
                }
            }
        }
    }

    private async Task<TestMeasurement> RunAsync(Action<double>? progress, CancellationToken cancellationToken)
    {
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var wallStart = Stopwatch.GetTimestamp();
        _measureStart = wallStart + (long)(_spec.WarmUpSeconds * Stopwatch.Frequency);
        _measureEnd = _spec.IoCount is null ? _measureStart + (long)(_spec.DurationSeconds * Stopwatch.Frequency) : long.MaxValue;
        _remainingIos = _spec.IoCount ?? long.MaxValue;
        using var recorder = _multipath is null ? null : new FailoverRecorder(_multipath, _measureStart);
        _recorder = recorder;

        var loops = new List<Task>();
        for (var w = 0; w < _workers.Length; w++)
        {
            foreach (var slot in _slots[w])
            {
                var worker = _workers[w];
                loops.Add(Task.Run(() => SlotLoopAsync(worker, slot, cancellationToken), CancellationToken.None));
            }
        }

        var all = Task.WhenAll(loops);
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(250, CancellationToken.None)).ConfigureAwait(false);
            progress?.Invoke(FractionDone());
        }

        await all.ConfigureAwait(false);
        if (_failure is not null)
        {
            throw new BenchIoException($"I/O failed on {_target.Info.Spec}: {_failure.Message}", _failure);
        }

        cancellationToken.ThrowIfCancellationRequested();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuStart;
        var wall = Stopwatch.GetElapsedTime(wallStart);
        var cpuPercent = 100 * cpu.TotalSeconds / (wall.TotalSeconds * Environment.ProcessorCount);
        var measurement = MeasurementBuilder.Build(_slots, _workers, _measureStart, _sampleTicks, cpuPercent);
        return recorder is null ? measurement : measurement with { Failovers = recorder.Failovers(), Paths = recorder.PathsSinceStart() };
    }

    private async Task SlotLoopAsync(WorkerState worker, IoSlot slot, CancellationToken cancellationToken)
    {
        var readMemory = slot.ReadBuffer.Memory;
        var writeMemory = slot.WriteBuffer.Memory;
        var thinkTime = TimeSpan.FromMilliseconds(_spec.ThinkTimeMs);
        ulong sequence = 0;
        try
        {
            for (var count = 1; !ShouldStop(cancellationToken); count++)
            {
                var request = worker.Plan(slot.Index);
                if (_rateLimiter is not null)
                {
                    await _rateLimiter.WaitAsync(request.Length, cancellationToken).ConfigureAwait(false);
                }

                var start = Stopwatch.GetTimestamp();
                var measured = start >= _measureStart;
                if (measured && _spec.IoCount is not null && Interlocked.Decrement(ref _remainingIos) < 0)
                {
                    worker.Release(slot.Index);
                    break;
                }

                if (measured && _recorder is not null && Volatile.Read(ref _measuredStartMarked) == 0 && Interlocked.Exchange(ref _measuredStartMarked, 1) == 0)
                {
                    // The first measured I/O: path counters count from here.
                    _recorder.MarkMeasuredStart();
                }

                var buffer = (request.IsRead ? readMemory : writeMemory)[..request.Length];
                worker.Issue();
                var synchronous = false;
                try
                {
                    ValueTask io;
                    if (request.IsRead)
                    {
                        io = _target.ReadAsync(request.Offset, buffer, cancellationToken);
                    }
                    else
                    {
                        if (_writtenMap is not null)
                        {
                            BlockStamp.Stamp(buffer.Span, request.Offset, _verifyUnit, ++sequence);
                        }

                        io = _target.WriteAsync(request.Offset, buffer, cancellationToken);
                    }

                    synchronous = io.IsCompleted;
                    await io.ConfigureAwait(false);
                }
                catch (Exception ex) when (_multipath is not null && !cancellationToken.IsCancellationRequested)
                {
                    // The application saw this error (the multipath layer's own retries are done); count it and go on.
                    worker.Complete();
                    worker.Release(slot.Index);
                    slot.IoErrors++;
                    slot.FirstIoError ??= $"{(request.IsRead ? "read" : "write")} of {request.Length} bytes at offset {request.Offset}: {ex.Message}";
                    continue;
                }

                var end = Stopwatch.GetTimestamp();
                worker.Complete();
                AfterIo(slot, request, buffer.Span);
                worker.Release(slot.Index);
                if (measured)
                {
                    Record(slot, request, start, end);
                }

                if (thinkTime > TimeSpan.Zero)
                {
                    await Task.Delay(thinkTime, cancellationToken).ConfigureAwait(false);
                }
                else if (synchronous && count % YieldEvery == 0)
                {
                    await Task.Yield();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _failure, ex, null);
            Volatile.Write(ref _stopping, 1);
        }
    }

    private void AfterIo(IoSlot slot, IoRequest request, ReadOnlySpan<byte> data)
    {
        if (_writtenMap is null)
        {
            return;
        }

        if (!request.IsRead)
        {
            _writtenMap.MarkWritten(request.Offset, request.Length);
            return;
        }

        for (var at = 0; at < request.Length; at += _verifyUnit)
        {
            var offset = request.Offset + at;
            var block = data.Slice(at, _verifyUnit);
            if (!_writtenMap.IsWritten(offset) && !BlockStamp.IsStamped(block))
            {
                continue;
            }

            slot.VerifiedBlocks++;
            var problem = BlockStamp.Check(block, offset);
            if (problem is not null)
            {
                slot.VerifyErrors++;
                slot.FirstVerifyError ??= $"verify failed at byte offset {offset}: {problem}";
            }
        }
    }

    private void Record(IoSlot slot, IoRequest request, long start, long end)
    {
        var nanoseconds = (long)((end - start) * (1e9 / Stopwatch.Frequency));
        slot.Latency.Record(nanoseconds);
        if (request.IsRead)
        {
            slot.ReadIos++;
            slot.BytesRead += request.Length;
        }
        else
        {
            slot.WriteIos++;
            slot.BytesWritten += request.Length;
        }

        var sample = (int)Math.Min((end - _measureStart) / _sampleTicks, slot.SampleIos.Length - 1);
        slot.SampleIos[sample]++;
        slot.SampleBytes[sample] += request.Length;
        slot.SampleLatencyNs[sample] += nanoseconds;
        slot.LastCompletion = Math.Max(slot.LastCompletion, end);
    }

    private bool ShouldStop(CancellationToken cancellationToken) =>
        Volatile.Read(ref _stopping) != 0
        || cancellationToken.IsCancellationRequested
        || Stopwatch.GetTimestamp() >= _measureEnd
        || Interlocked.Read(ref _remainingIos) <= 0;

    private double FractionDone()
    {
        if (_spec.IoCount is { } total)
        {
            return Math.Clamp(1 - ((double)Math.Max(0, Interlocked.Read(ref _remainingIos)) / total), 0, 1);
        }

        var all = _spec.WarmUpSeconds + _spec.DurationSeconds;
        var elapsed = Stopwatch.GetElapsedTime(_measureStart).TotalSeconds + _spec.WarmUpSeconds;
        return Math.Clamp(elapsed / all, 0, 1);
    }
}
