namespace Storlane.Scsi;

/// <summary>
/// Makes COMPARE AND WRITE atomic against every other write to the logical unit, from any session or
/// path (SBC-3 5.2: the compare and the write are "an uninterrupted series of actions"). Ordinary
/// writes pay two interlocked operations and take no lock: they count themselves in
/// <see cref="_writers"/> and back off to the slow path only while an atomic operation is pending.
/// The atomic operation takes <see cref="_exclusive"/> (one at a time), raises
/// <see cref="_atomicPending"/>, waits for the writers already in flight to drain, and holds the gate
/// across its read-compare-write I/O: the one place a lock is held across I/O, because atomicity is
/// the point.
/// </summary>
internal sealed class AtomicWriteGate
{
    private readonly SemaphoreSlim _exclusive = new(1, 1);
    private int _writers;
    private int _atomicPending;

    /// <summary>Fast path: true when the write may go ahead (call <see cref="ExitWrite"/> after it).</summary>
    public bool TryEnterWrite()
    {
        Interlocked.Increment(ref _writers);
        if (Volatile.Read(ref _atomicPending) == 0)
        {
            return true;
        }

        Interlocked.Decrement(ref _writers);
        return false;
    }

    /// <summary>Slow path: waits for the pending atomic operation, then enters as a writer.</summary>
    public async ValueTask EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _writers);
        _exclusive.Release();
    }

    public void ExitWrite() => Interlocked.Decrement(ref _writers);

    /// <summary>Excludes every other writer and atomic operation until <see cref="ExitAtomic"/>.</summary>
    public async ValueTask EnterAtomicAsync(CancellationToken cancellationToken)
    {
        await _exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _atomicPending);
        try
        {
            while (Volatile.Read(ref _writers) != 0)
            {
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            ExitAtomic();
            throw;
        }
    }

    public void ExitAtomic()
    {
        Interlocked.Decrement(ref _atomicPending);
        _exclusive.Release();
    }
}
