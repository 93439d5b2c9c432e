namespace Storlane.Target.Connections;

/// <summary>
/// One connection's tasks: the table by initiator task tag, the recycled task objects, and the
/// data-buffer bytes they hold. The receive loop adds tasks and owns those still receiving; the
/// writer removes and recycles completed ones; another session's task management looks tasks up
/// to abort them. Those are three threads, so the table is the one place behind a lock, held only
/// for a lookup or a walk, never across I/O.
/// </summary>
internal sealed class ConnectionTasks
{
    private readonly Dictionary<uint, TargetTask> _byTag = [];
    private readonly Lock _tableLock = new();
    private readonly Stack<TargetTask> _pool = new();
    private readonly Action<TargetTask> _executionEnded;
    private readonly BufferBudget _budget;
    private readonly long _maxBufferBytes;
    private long _bufferBytes;

    /// <param name="executionEnded">Resumes a task whose command completed asynchronously (made into each task's one closure).</param>
    /// <param name="budget">The process-wide data-buffer budget.</param>
    /// <param name="maxBufferBytes">This connection's share of it.</param>
    public ConnectionTasks(Action<TargetTask> executionEnded, BufferBudget budget, long maxBufferBytes)
    {
        _executionEnded = executionEnded;
        _budget = budget;
        _maxBufferBytes = maxBufferBytes;
    }

    /// <summary>Data-transfer buffer bytes this connection's commands hold.</summary>
    public long BufferBytes => Interlocked.Read(ref _bufferBytes);

    /// <summary>Task objects waiting in the pool for the next command (tests watch recycling).</summary>
    public int Pooled
    {
        get
        {
            lock (_pool)
            {
                return _pool.Count;
            }
        }
    }

    public TargetTask Rent()
    {
        lock (_pool)
        {
            if (_pool.TryPop(out var task))
            {
                return task;
            }
        }

        return Create();
    }

    /// <summary>
    /// A new task with its continuation, the one closure, made once per task object. In its own
    /// method: a captured local makes C# allocate the closure on entry to its scope, which in
    /// <see cref="Rent"/> would be every command, pooled or not.
    /// </summary>
    private TargetTask Create()
    {
        var task = new TargetTask();
        task.ExecutionEnded = () => _executionEnded(task);
        return task;
    }

    /// <summary>Recycles a task that left the table (or never entered it), giving its buffer reservation back.</summary>
    public void Return(TargetTask task)
    {
        ReleaseBuffer(task);
        task.Reset();
        lock (_pool)
        {
            _pool.Push(task);
        }
    }

    /// <summary>False when the tag already names a task in progress (RFC 7143 11.17.1, Reject reason 0x07).</summary>
    public bool TryAdd(TargetTask task)
    {
        lock (_tableLock)
        {
            return _byTag.TryAdd(task.InitiatorTaskTag, task);
        }
    }

    public TargetTask? Find(uint initiatorTaskTag)
    {
        lock (_tableLock)
        {
            return _byTag.GetValueOrDefault(initiatorTaskTag);
        }
    }

    /// <summary>The task under the tag and its generation read together, so a later abort can tell if it was recycled.</summary>
    public TargetTask? Find(uint initiatorTaskTag, out uint generation)
    {
        lock (_tableLock)
        {
            if (_byTag.TryGetValue(initiatorTaskTag, out var task))
            {
                generation = task.Generation;
                return task;
            }
        }

        generation = 0;
        return null;
    }

    /// <summary>Removes this task object (not a newer task that reused its tag).</summary>
    public void Remove(TargetTask task)
    {
        lock (_tableLock)
        {
            if (_byTag.TryGetValue(task.InitiatorTaskTag, out var current) && ReferenceEquals(current, task))
            {
                _byTag.Remove(task.InitiatorTaskTag);
            }
        }
    }

    /// <summary>The tasks on <paramref name="lun"/> (every LUN when null) with their generations, for an abort outside the lock.</summary>
    public List<(TargetTask Task, uint Generation)> OnLun(ulong? lun)
    {
        List<(TargetTask Task, uint Generation)> matched = [];
        lock (_tableLock)
        {
            foreach (var task in _byTag.Values)
            {
                if (lun is null || task.Command.Lun == lun)
                {
                    matched.Add((task, task.Generation));
                }
            }
        }

        return matched;
    }

    /// <summary>
    /// Flags and cancels the tasks on <paramref name="lun"/> for another nexus's task management;
    /// <paramref name="ended"/> gets what each executing one's end is awaited by.
    /// </summary>
    public void AbortForOtherNexus(ulong? lun, List<Task>? ended)
    {
        lock (_tableLock)
        {
            foreach (var task in _byTag.Values)
            {
                if (task.AbortForOtherNexus(lun) is { } end)
                {
                    ended?.Add(end);
                }
            }
        }
    }

    /// <summary>Cancels every task (the connection is closing); returns those still receiving, which the caller finishes.</summary>
    public List<TargetTask> CancelAll()
    {
        List<TargetTask> receiving = [];
        lock (_tableLock)
        {
            foreach (var task in _byTag.Values)
            {
                lock (task.StateLock)
                {
                    task.Cancel();
                    if (task.State == TargetTaskState.Receiving)
                    {
                        receiving.Add(task);
                    }
                }
            }
        }

        return receiving;
    }

    /// <summary>
    /// Reserves a command's data buffer against this connection's share and the process-wide
    /// budget. The first buffer of a connection is always granted, so every initiator can make
    /// progress however much the others hold.
    /// </summary>
    public bool TryReserveBuffer(TargetTask task, uint bytes)
    {
        var held = Interlocked.Read(ref _bufferBytes);
        var first = held == 0;
        if (!first && held + bytes > _maxBufferBytes)
        {
            return false;
        }

        if (!_budget.TryReserve(bytes, guaranteed: first))
        {
            return false;
        }

        Interlocked.Add(ref _bufferBytes, bytes);
        task.BufferCharge = bytes;
        return true;
    }

    private void ReleaseBuffer(TargetTask task)
    {
        var charge = task.BufferCharge;
        if (charge == 0)
        {
            return;
        }

        task.BufferCharge = 0;
        Interlocked.Add(ref _bufferBytes, -charge);
        _budget.Release(charge);
    }
}
