namespace Storlane.Initiator.Multipath.Selectors;

/// <summary>
/// FailoverOnly: all I/O on one path; when it fails the lowest-index usable path takes over. With
/// failback the lowest-index path takes I/O back as soon as it is usable again; without, the
/// current path keeps it until it fails.
/// </summary>
public sealed class FailoverOnlySelector : IPathSelector
{
    private readonly bool _failback;
    private int _current = -1;

    public FailoverOnlySelector(bool failback)
    {
        _failback = failback;
    }

    public ISelectablePath Select(ReadOnlySpan<ISelectablePath> candidates, int bytes)
    {
        if (!_failback)
        {
            var current = Volatile.Read(ref _current);
            foreach (var path in candidates)
            {
                if (path.Index == current)
                {
                    return path;
                }
            }
        }

        Volatile.Write(ref _current, candidates[0].Index);
        return candidates[0];
    }

    public void OnCompleted(ISelectablePath path, TimeSpan latency, int bytes)
    {
    }
}
