namespace Storlane.Scsi.Tests;

/// <summary>An in-memory lease with expiry on a hand-moved clock, standing in for the RADOS lock.</summary>
internal sealed class FakeLease : IOwnershipLease
{
    private readonly Lock _lock = new();
    private ushort? _holder;
    private DateTimeOffset _expires;

    public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

    public bool Reachable { get; set; } = true;

    public ValueTask<ushort> AcquireOrRenewAsync(ushort group, TimeSpan duration, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        lock (_lock)
        {
            if (_holder is null || _holder == group || Now >= _expires)
            {
                _holder = group;
                _expires = Now + duration;
            }

            return new(_holder.Value);
        }
    }

    public ValueTask<ushort?> HolderAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        lock (_lock)
        {
            return new(_holder is { } holder && Now < _expires ? holder : null);
        }
    }

    public ValueTask ReleaseAsync(ushort group, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        lock (_lock)
        {
            if (_holder == group)
            {
                _holder = null;
            }
        }

        return ValueTask.CompletedTask;
    }

    private void ThrowIfUnreachable()
    {
        if (!Reachable)
        {
            throw new SharedStateUnavailableException("the fake cluster is cut off");
        }
    }
}
