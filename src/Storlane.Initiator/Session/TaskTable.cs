namespace Storlane.Initiator.Session;

/// <summary>
/// Initiator task tags: slot index in the low 16 bits, a generation in the high 16, so a late PDU
/// for a finished task never matches the slot's next user. "The initiator task tag ... MUST be
/// unique among the outstanding tasks of the session" (RFC 7143 11.2.1.8); 0xffffffff is reserved
/// and never produced because slots stop below 65535.
/// </summary>
internal sealed class TaskTable : IDisposable
{
    private const int SlotBits = 16;
    private const uint SlotMask = (1u << SlotBits) - 1;

    private readonly InitiatorTask[] _tasks;
    private readonly ushort[] _generations;
    private readonly bool[] _inUse;
    private readonly Stack<int> _free;
    private readonly SemaphoreSlim _available;

    public TaskTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, (int)SlotMask - 1);
        _tasks = new InitiatorTask[capacity];
        _generations = new ushort[capacity];
        _inUse = new bool[capacity];
        _free = new Stack<int>(capacity);
        for (var slot = capacity - 1; slot >= 0; slot--)
        {
            _tasks[slot] = new InitiatorTask(this, slot);
            _free.Push(slot);
        }

        _available = new SemaphoreSlim(capacity, capacity);
    }

    /// <summary>Tags held now: tasks whose caller or protocol side (an answer still due) has not let go.</summary>
    public int InUse => _tasks.Length - _available.CurrentCount;

    /// <summary>Takes a free tag at once, or returns false when all are in use.</summary>
    public bool TryRent(out InitiatorTask task)
    {
        if (!_available.Wait(0))
        {
            task = null!;
            return false;
        }

        task = Take();
        return true;
    }

    public async ValueTask<InitiatorTask> RentAsync(CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Take();
    }

    /// <summary>The task holding <paramref name="itt"/>, or null for a tag that is free or from an older generation.</summary>
    public InitiatorTask? Find(uint itt)
    {
        var slot = (int)(itt & SlotMask);
        if (slot >= _tasks.Length)
        {
            return null;
        }

        var task = _tasks[slot];
        return Volatile.Read(ref _inUse[slot]) && task.Itt == itt ? task : null;
    }

    /// <summary>Calls <paramref name="action"/> for every task in use (session failure, resets).</summary>
    public void ForEachInUse<TState>(Action<InitiatorTask, TState> action, TState state)
    {
        for (var slot = 0; slot < _tasks.Length; slot++)
        {
            if (Volatile.Read(ref _inUse[slot]))
            {
                action(_tasks[slot], state);
            }
        }
    }

    public void Return(InitiatorTask task)
    {
        lock (_free)
        {
            Volatile.Write(ref _inUse[task.Slot], false);
            _free.Push(task.Slot);
        }

        try
        {
            _available.Release();
        }
        catch (ObjectDisposedException)
        {
            // The session was dropped under its commands (a failed path is reset at once and its
            // I/O reissued elsewhere): a task finishing afterwards has no table to give its slot to.
        }
    }

    public void Dispose() => _available.Dispose();

    private InitiatorTask Take()
    {
        lock (_free)
        {
            var slot = _free.Pop();
            var generation = ++_generations[slot];
            var task = _tasks[slot];
            task.Itt = ((uint)generation << SlotBits) | (uint)slot;
            Volatile.Write(ref _inUse[slot], true);
            return task;
        }
    }
}
