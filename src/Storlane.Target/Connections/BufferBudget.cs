namespace Storlane.Target.Connections;

/// <summary>
/// The data-transfer buffer bytes all connections hold together (READ data waiting to be sent,
/// WRITE data being gathered). A reservation past the budget is refused, except a connection's
/// first: every connection may always run one command, so a few greedy clients slow the others
/// down to one command at a time but never stop them.
/// </summary>
internal sealed class BufferBudget
{
    private readonly long _limit;
    private long _held;

    public BufferBudget(long limit)
    {
        _limit = limit;
    }

    public long Held => Interlocked.Read(ref _held);

    /// <param name="bytes">The reservation.</param>
    /// <param name="guaranteed">The caller holds nothing yet: granted whatever the others hold.</param>
    public bool TryReserve(long bytes, bool guaranteed)
    {
        var after = Interlocked.Add(ref _held, bytes);
        if (after <= _limit || guaranteed)
        {
            return true;
        }

        Interlocked.Add(ref _held, -bytes);
        return false;
    }

    public void Release(long bytes) => Interlocked.Add(ref _held, -bytes);
}
