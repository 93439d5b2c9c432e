namespace Storlane.Nvme.Target;

/// <summary>What Abort (base 2.0, 5.1) needs from the controller: its held AERs and its queues by QID.</summary>
internal sealed partial class NvmeController
{
    /// <summary>Ends a held AER with Command Abort Requested; false when none with that CID is held.</summary>
    public bool TryAbortAsyncEvent(ushort commandId)
    {
        NvmeTcpQueue? owner = null;
        lock (_lock)
        {
            var count = _asyncEvents.Count;
            for (var i = 0; i < count; i++)
            {
                var held = _asyncEvents.Dequeue();
                if (owner is null && held.CommandId == commandId)
                {
                    owner = held.Queue;
                    continue;
                }

                _asyncEvents.Enqueue(held);
            }
        }

        owner?.CompleteAborted(commandId);
        return owner is not null;
    }

    /// <summary>The queue with this QID, or null.</summary>
    public NvmeTcpQueue? FindQueue(ushort queueId)
    {
        lock (_lock)
        {
            foreach (var queue in _queues)
            {
                if (queue.QueueId == queueId)
                {
                    return queue;
                }
            }
        }

        return null;
    }
}
