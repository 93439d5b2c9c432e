using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Storlane.Target.Connections;

/// <summary>
/// Gives memory back to the operating system after a burst (a flood of large READs, of big pings,
/// a hostile client) has gone. The runtime does not: the burst's buffers die in the large-object
/// heap, and once the burst is over the process allocates too little for any collection to run, so
/// they stay there, committed, for as long as it stays quiet (measured: 170 MiB above the start
/// for minutes; docs/reliability.md). And a collection alone does not help either: a blocking gen2
/// frees the arrays but leaves their space committed in partly used regions; only a compacting
/// <see cref="GCCollectionMode.Aggressive"/> collection decommits it.
/// So once per idle period: if the process allocated little in it (the burst is over, a collection
/// now is not refilled at once) and the heap grew by <see cref="GrowthThreshold"/> since the last
/// reclaim, one aggressive collection runs. Its pause was ~50 ms for a 250 MiB heap on 2 busy
/// cores; it runs at most once per <see cref="GrowthThreshold"/> of growth and never while the
/// process allocates fast, so a steady workload never pays it.
/// </summary>
internal sealed class MemoryReclaimer
{
    /// <summary>Heap growth above what the last reclaim left that is worth a collection.</summary>
    public const long GrowthThreshold = 64L << 20;

    /// <summary>Allocation within one period above which the process counts as busy (the burst goes on).</summary>
    public const long BusyAllocationBytes = 32L << 20;

    private readonly Func<long> _heapBytes;
    private readonly Func<long> _allocatedBytes;
    private readonly Action _collect;
    private readonly Lock _lock = new();
    // From zero: a heap already past the threshold at the first quiet period (say, a memory LUN just
    // filled) costs one early collection, and a first period that falls inside a burst cannot pass
    // the burst off as the settled size.
    private long _settledHeap;
    private long _allocatedAtLastTick;

    /// <param name="heapBytes">The managed heap now, garbage not yet collected included.</param>
    /// <param name="allocatedBytes">Bytes allocated since the process started.</param>
    /// <param name="collect">The collection that gives memory back.</param>
    public MemoryReclaimer(Func<long> heapBytes, Func<long> allocatedBytes, Action collect)
    {
        _heapBytes = heapBytes;
        _allocatedBytes = allocatedBytes;
        _collect = collect;
    }

    /// <summary>The process's reclaimer, over the runtime's own counters and an aggressive collection.</summary>
    public static MemoryReclaimer Process { get; } = new(
        static () => GC.GetTotalMemory(forceFullCollection: false),
        static () => GC.GetTotalAllocatedBytes(precise: false),
        static () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true));

    /// <summary>Where reclaims are logged: the logger of the last server started in this process.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// One idle period's check. While a cache still holds the burst's memory
    /// (<paramref name="burstMemoryCached"/>) nothing is collected: that memory would count as
    /// settled. Returns whether it collected.
    /// </summary>
    public bool Tick(bool burstMemoryCached)
    {
        lock (_lock)
        {
            var allocated = _allocatedBytes();
            var heap = _heapBytes();
            var allocatedInPeriod = allocated - _allocatedAtLastTick;
            _allocatedAtLastTick = allocated;
            if (burstMemoryCached)
            {
                return false;
            }
            var growth = heap - _settledHeap;
            if (growth < GrowthThreshold)
            {
                // The heap may also have shrunk (the runtime collected on its own): measure from there.
                _settledHeap = Math.Min(_settledHeap, heap);
                return false;
            }

            if (allocatedInPeriod > BusyAllocationBytes)
            {
                if (Logger is { } busyLogger)
                {
                    TargetLog.MemoryReclaimDeferred(busyLogger, growth >> 20, allocatedInPeriod >> 20);
                }

                return false;
            }

            var pause = Stopwatch.StartNew();
            _collect();
            _settledHeap = _heapBytes();
            if (Logger is { } logger)
            {
                TargetLog.MemoryReclaimed(logger, heap >> 20, _settledHeap >> 20, (long)pause.Elapsed.TotalMilliseconds);
            }

            return true;
        }
    }
}
