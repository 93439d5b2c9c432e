namespace Storlane.Scsi.Tests;

/// <summary>
/// A shared reservation store (one gateway's view of the RADOS object) whose writes can be held back:
/// while <see cref="HoldWrites"/> is in force, a compare-and-swap waits, unapplied, until
/// <see cref="ReleaseWrites"/>, as a cluster round trip that has not come back yet. That is the window
/// between a gateway deciding a change (an SPC-2 reservation ends with its nexus) and the store
/// confirming it.
/// </summary>
internal sealed class LateSharedState : ILuSharedState
{
    private readonly Lock _lock = new();
    private SharedStateImage _image;
    private TaskCompletionSource? _gate;
    private int _waiting;

    public SharedStatePersistence Persistence => SharedStatePersistence.Always;

    public bool IsShared => true;

    /// <summary>Writes waiting at the gate right now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>The stored image (what another gateway would read).</summary>
    public SharedStateImage Image
    {
        get
        {
            lock (_lock)
            {
                return _image;
            }
        }
    }

    public void HoldWrites()
    {
        lock (_lock)
        {
            _gate ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ReleaseWrites()
    {
        TaskCompletionSource? gate;
        lock (_lock)
        {
            (gate, _gate) = (_gate, null);
        }

        gate?.SetResult();
    }

    public ValueTask<SharedStateImage> LoadAsync(CancellationToken cancellationToken) => new(Image);

    public async ValueTask<ulong?> TryReplaceAsync(ulong expectedVersion, ReadOnlyMemory<byte> content, bool durable, CancellationToken cancellationToken)
    {
        Task? gate;
        lock (_lock)
        {
            gate = _gate?.Task;
        }

        if (gate is not null)
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await gate.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        lock (_lock)
        {
            if (_image.Version != expectedVersion)
            {
                return null;
            }

            _image = new SharedStateImage(expectedVersion + 1, content.ToArray());
            return _image.Version;
        }
    }

    public void Subscribe(ISharedStateListener listener)
    {
        // One gateway: nobody else writes, so there is never a change to report.
    }
}
