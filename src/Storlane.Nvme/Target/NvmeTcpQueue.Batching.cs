using System.Runtime.InteropServices;

namespace Storlane.Nvme.Target;

/// <summary>
/// PDUs the read loop's own thread queues while it works through one receive buffer (commands that
/// complete at once, as page-cache reads do, and R2Ts) wait in a batch and go to the writer together
/// when the buffer is done or before the loop waits for anything. Posted one by one, the first woke
/// the writer, which sent it while the rest were still being made: at 4K read QD16 that was about
/// 1.7 sends per receive where one does. PDUs from any other thread (device completions on the
/// thread pool, keep-alive, the admin queue) go to the writer at once.
/// </summary>
internal sealed partial class NvmeTcpQueue
{
    private readonly List<Outbound> _batch = new(64);

    /// <summary>The managed thread id of the read loop while it batches; 0 when it does not.</summary>
    private int _batchThread;

    /// <summary>Queues a PDU for the writer: into the read loop's batch when called on its thread inside one.</summary>
    private void Post(in Outbound item)
    {
        if (Volatile.Read(ref _batchThread) == Environment.CurrentManagedThreadId)
        {
            _batch.Add(item);
            return;
        }

        _outbound.Writer.TryWrite(item);
    }

    private void BeginBatch() => Volatile.Write(ref _batchThread, Environment.CurrentManagedThreadId);

    /// <summary>Hands the batch to the writer: one wake-up and one send for all of it.</summary>
    private void EndBatch()
    {
        Volatile.Write(ref _batchThread, 0);
        foreach (ref readonly var item in CollectionsMarshal.AsSpan(_batch))
        {
            _outbound.Writer.TryWrite(item);
        }

        _batch.Clear();
    }
}
