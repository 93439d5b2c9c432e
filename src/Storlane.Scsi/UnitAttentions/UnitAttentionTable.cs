using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// Pending unit attention conditions of one logical unit, a queue per I_T nexus (SAM-5 5.14: a unit
/// attention is established for the initiator port of an I_T nexus). The command path only reads
/// <see cref="_pending"/> when nothing is queued, so commands pay one volatile read.
/// </summary>
internal sealed class UnitAttentionTable
{
    /// <summary>More than this many conditions per nexus and the lowest-precedence one is dropped.</summary>
    public const int MaxPerNexus = 16;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, List<AdditionalSense>> _queues = [];
    private int _pending;

    public bool IsEmpty => Volatile.Read(ref _pending) == 0;

    /// <summary>Queues a condition unless the same one is already pending for that nexus.</summary>
    public void Establish(long nexusId, AdditionalSense sense)
    {
        lock (_lock)
        {
            if (!_queues.TryGetValue(nexusId, out var queue))
            {
                queue = new List<AdditionalSense>(2);
                _queues.Add(nexusId, queue);
            }

            if (queue.Contains(sense))
            {
                return;
            }

            var rank = UnitAttentionPrecedence.Rank(sense);
            var index = queue.Count;
            while (index > 0 && UnitAttentionPrecedence.Rank(queue[index - 1]) > rank)
            {
                index--;
            }

            queue.Insert(index, sense);
            _pending++;
            if (queue.Count > MaxPerNexus)
            {
                queue.RemoveAt(queue.Count - 1);
                _pending--;
            }
        }
    }

    /// <summary>Removes and returns the highest-precedence condition pending for the nexus.</summary>
    public bool TryTake(long nexusId, out AdditionalSense sense)
    {
        sense = default;
        if (IsEmpty)
        {
            return false;
        }

        lock (_lock)
        {
            if (!_queues.TryGetValue(nexusId, out var queue) || queue.Count == 0)
            {
                return false;
            }

            sense = queue[0];
            queue.RemoveAt(0);
            _pending--;
            if (queue.Count == 0)
            {
                _queues.Remove(nexusId);
            }

            return true;
        }
    }

    /// <summary>Clears one kind of condition for a nexus (REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED).</summary>
    public void Clear(long nexusId, AdditionalSense sense)
    {
        if (IsEmpty)
        {
            return;
        }

        lock (_lock)
        {
            if (_queues.TryGetValue(nexusId, out var queue) && queue.Remove(sense))
            {
                _pending--;
                if (queue.Count == 0)
                {
                    _queues.Remove(nexusId);
                }
            }
        }
    }

    /// <summary>Drops everything pending for a nexus that went away.</summary>
    public void Forget(long nexusId)
    {
        lock (_lock)
        {
            if (_queues.Remove(nexusId, out var queue))
            {
                _pending -= queue.Count;
            }
        }
    }

    /// <summary>A copy of what is pending for a nexus, highest precedence first (diagnostics and tests).</summary>
    public AdditionalSense[] Snapshot(long nexusId)
    {
        lock (_lock)
        {
            return _queues.TryGetValue(nexusId, out var queue) ? [.. queue] : [];
        }
    }
}
