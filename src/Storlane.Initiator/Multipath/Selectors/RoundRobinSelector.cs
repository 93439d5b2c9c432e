namespace Storlane.Initiator.Multipath.Selectors;

/// <summary>RoundRobin: each I/O goes to the next usable path in turn.</summary>
public sealed class RoundRobinSelector : IPathSelector
{
    private uint _next;

    public ISelectablePath Select(ReadOnlySpan<ISelectablePath> candidates, int bytes) =>
        candidates[(int)((Interlocked.Increment(ref _next) - 1) % (uint)candidates.Length)];

    public void OnCompleted(ISelectablePath path, TimeSpan latency, int bytes)
    {
    }
}
