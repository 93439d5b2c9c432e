namespace Storlane.Scsi;

/// <summary>
/// The task set of one logical unit (SAM-5 8.5 - 8.7), shared by every I_T nexus: when a task may
/// enter the enabled state. SAM-5 8.6: a SIMPLE task is enabled once every older ORDERED task has
/// completed; an ORDERED task once every older task (of any attribute) has completed, and it holds
/// every newer SIMPLE and ORDERED task until it completes; a HEAD OF QUEUE task is enabled at once
/// (and, being older, is waited for by newer ORDERED tasks). Untagged tasks (iSCSI ATTR 0) are SIMPLE.
/// ACA is not taken in here: without NormACA the device server refuses it before (see
/// <see cref="ScsiTargetDevice"/>).
/// <para>
/// Arrival order is the order of <see cref="EnterAsync"/> calls, which <see cref="ScsiTargetDevice"/>
/// makes synchronously in <c>ExecuteAsync</c>; the transport calls that in CmdSN order per connection.
/// </para>
/// <para>
/// No lock is held across I/O: this is an asynchronous gate. The fast path (SIMPLE or HEAD OF QUEUE,
/// no ORDERED task pending) is one compare-and-swap to enter and one interlocked decrement to exit;
/// only while an ORDERED task is queued or running do tasks take <see cref="_lock"/>, briefly, to queue
/// themselves or to wake the head of the queue, and only tasks that must wait allocate.
/// </para>
/// </summary>
internal sealed class TaskSet
{
    // _state: bits 0..31 count the enabled tasks (running), bit 32 is set while tasks are queued or an
    // ORDERED task runs ("gated": new SIMPLE tasks must queue behind them).
    private const long Gated = 1L << 32;
    private const long RunningMask = Gated - 1;

    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _queue = new();
    private long _state;
    private bool _orderedRunning;

    /// <summary>Enabled tasks right now (diagnostics and tests).</summary>
    public int Running => (int)(Volatile.Read(ref _state) & RunningMask);

    /// <summary>Tasks waiting to be enabled (diagnostics and tests).</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>
    /// Completes when the task is enabled; the caller then runs it and calls <see cref="Exit"/> with the
    /// same attribute. Cancelled while waiting (the task was aborted): the task leaves the set and
    /// <see cref="OperationCanceledException"/> is thrown; no <see cref="Exit"/> then.
    /// </summary>
    public ValueTask EnterAsync(ScsiTaskAttribute attribute, CancellationToken cancellationToken)
    {
        if (attribute == ScsiTaskAttribute.HeadOfQueue)
        {
            Interlocked.Increment(ref _state);
            return ValueTask.CompletedTask;
        }

        if (attribute != ScsiTaskAttribute.Ordered)
        {
            var state = Volatile.Read(ref _state);
            while ((state & Gated) == 0)
            {
                var seen = Interlocked.CompareExchange(ref _state, state + 1, state);
                if (seen == state)
                {
                    return ValueTask.CompletedTask;
                }

                state = seen;
            }
        }

        return EnterSlow(attribute == ScsiTaskAttribute.Ordered, cancellationToken);
    }

    /// <summary>The task completed (or ended any other way after it was enabled).</summary>
    public void Exit(ScsiTaskAttribute attribute)
    {
        var state = Interlocked.Decrement(ref _state);
        if ((state & Gated) == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (attribute == ScsiTaskAttribute.Ordered)
            {
                _orderedRunning = false;
            }

            Drain();
        }
    }

    private ValueTask EnterSlow(bool ordered, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Close the fast path first: from here on every exit comes through Drain.
            Interlocked.Or(ref _state, Gated);
            var waiter = new Waiter(this, ordered);
            waiter.Node = _queue.AddLast(waiter);
            Drain();
            if (waiter.Node is null)
            {
                return ValueTask.CompletedTask;
            }

            // Registered under the lock (Lock is reentrant: an already cancelled token runs Cancel here).
            if (cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Owner.Cancel((Waiter)state!, token), waiter);
            }

            return new ValueTask(waiter.Enabled.Task);
        }
    }

    /// <summary>Enables queued tasks from the head while the rules allow. Called under <see cref="_lock"/>.</summary>
    private void Drain()
    {
        while (_queue.First is { } first)
        {
            var waiter = first.Value;
            if (waiter.Ordered)
            {
                if ((Volatile.Read(ref _state) & RunningMask) != 0 || _orderedRunning)
                {
                    break;
                }

                _orderedRunning = true;
            }
            else if (_orderedRunning)
            {
                break;
            }

            _queue.RemoveFirst();
            waiter.Node = null;
            Interlocked.Increment(ref _state);
            waiter.Registration.Unregister(); // not Dispose: that would wait for a Cancel blocked on this lock
            waiter.Enabled.TrySetResult();
        }

        if (_queue.Count == 0 && !_orderedRunning)
        {
            Interlocked.And(ref _state, RunningMask);
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (_lock)
        {
            if (waiter.Node is null)
            {
                return; // enabled already: the task runs and exits normally
            }

            _queue.Remove(waiter.Node);
            waiter.Node = null;
            Drain();
        }

        waiter.Enabled.TrySetCanceled(token);
    }

    private sealed class Waiter(TaskSet owner, bool ordered)
    {
        public TaskSet Owner { get; } = owner;

        public bool Ordered { get; } = ordered;

        public TaskCompletionSource Enabled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}
