namespace Storlane.Bench.Engine;

/// <summary>A worker: its planner (behind a lock, shared by its slots) and its outstanding-I/O count.</summary>
internal sealed class WorkerState(IoPlanner planner)
{
    private readonly Lock _lock = new();
    private int _outstanding;
    private int _maxOutstanding;
    private long _outstandingSum;
    private long _issued;

    public int MaxOutstanding => Volatile.Read(ref _maxOutstanding);

    public long OutstandingSum => Interlocked.Read(ref _outstandingSum);

    public long Issued => Interlocked.Read(ref _issued);

    public IoRequest Plan(int slot)
    {
        lock (_lock)
        {
            return planner.Next(slot);
        }
    }

    public void Release(int slot)
    {
        lock (_lock)
        {
            planner.Complete(slot);
        }
    }

    /// <summary>Counts an I/O as issued and records the outstanding count it raised.</summary>
    public void Issue()
    {
        var now = Interlocked.Increment(ref _outstanding);
        Interlocked.Add(ref _outstandingSum, now);
        Interlocked.Increment(ref _issued);
        var max = Volatile.Read(ref _maxOutstanding);
        while (now > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxOutstanding, now, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    public void Complete() => Interlocked.Decrement(ref _outstanding);
}
