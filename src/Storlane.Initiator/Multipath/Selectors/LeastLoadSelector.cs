namespace Storlane.Initiator.Multipath.Selectors;

/// <summary>
/// Picks the candidate with the smallest load as the subclass measures it; ties go round robin, so
/// equal paths share I/O evenly.
/// </summary>
public abstract class LeastLoadSelector : IPathSelector
{
    private uint _turn;

    public ISelectablePath Select(ReadOnlySpan<ISelectablePath> candidates, int bytes)
    {
        // Two passes, no allocation: find the least load and how many paths share it, then take
        // the tied paths in turn.
        var least = double.MaxValue;
        var ties = 0;
        foreach (var path in candidates)
        {
            var load = Load(path, bytes);
            if (load < least)
            {
                least = load;
                ties = 1;
            }
            else if (load == least)
            {
                ties++;
            }
        }

        var pick = ties == 1 ? 0 : (int)((Interlocked.Increment(ref _turn) - 1) % (uint)ties);
        foreach (var path in candidates)
        {
            if (Load(path, bytes) == least && pick-- == 0)
            {
                return path;
            }
        }

        return candidates[0]; // the load moved under us; any path will do
    }

    public virtual void OnCompleted(ISelectablePath path, TimeSpan latency, int bytes)
    {
    }

    /// <summary>The quantity to minimise for an I/O of <paramref name="bytes"/> on <paramref name="path"/>.</summary>
    protected abstract double Load(ISelectablePath path, int bytes);
}

/// <summary>LeastQueueDepth: the path with the fewest outstanding commands, counted across all LUs on it (as MSDSM).</summary>
public sealed class LeastQueueDepthSelector : LeastLoadSelector
{
    protected override double Load(ISelectablePath path, int bytes) => path.Outstanding;
}

/// <summary>WeightedPaths: the path with the lowest administrator-set weight (MSDSM); equal weights share round robin.</summary>
public sealed class WeightedPathsSelector : LeastLoadSelector
{
    protected override double Load(ISelectablePath path, int bytes) => path.Weight;
}

/// <summary>LeastBlocks: the path with the fewest data bytes (so blocks) outstanding (MSDSM).</summary>
public sealed class LeastBlocksSelector : LeastLoadSelector
{
    protected override double Load(ISelectablePath path, int bytes) => path.OutstandingBytes;
}

/// <summary>ServiceTime: the path with the lowest (in-flight bytes + this I/O's bytes) / relative throughput (dm-multipath's service-time).</summary>
public sealed class ServiceTimeSelector : LeastLoadSelector
{
    protected override double Load(ISelectablePath path, int bytes) =>
        (path.OutstandingBytes + bytes) / Math.Max(path.RelativeThroughput, 1e-9);
}
