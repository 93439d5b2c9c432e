namespace Storlane.Initiator.Multipath.Selectors;

/// <summary>
/// RoundRobinWithSubset: round robin over the usable paths of the active set (not
/// <see cref="ISelectablePath.IsStandby"/>); the standby set, in round robin, only when none is usable.
/// </summary>
public sealed class RoundRobinWithSubsetSelector : IPathSelector
{
    private uint _next;

    public ISelectablePath Select(ReadOnlySpan<ISelectablePath> candidates, int bytes)
    {
        var active = 0;
        foreach (var path in candidates)
        {
            if (!path.IsStandby)
            {
                active++;
            }
        }

        var turn = Interlocked.Increment(ref _next) - 1;
        if (active == 0)
        {
            return candidates[(int)(turn % (uint)candidates.Length)];
        }

        var pick = (int)(turn % (uint)active);
        foreach (var path in candidates)
        {
            if (!path.IsStandby && pick-- == 0)
            {
                return path;
            }
        }

        return candidates[0];
    }

    public void OnCompleted(ISelectablePath path, TimeSpan latency, int bytes)
    {
    }
}
