namespace Storlane.Initiator.Multipath;

/// <summary>
/// A load-balance policy: picks the path for the next I/O among the usable ones (already narrowed
/// to the best ALUA state and ordered by <see cref="ISelectablePath.Index"/>). Called concurrently
/// on the I/O path, so it neither allocates nor blocks.
/// </summary>
public interface IPathSelector
{
    /// <summary>Selectors keep per-path state in arrays of this size.</summary>
    const int MaxPaths = 32;

    /// <summary>Picks one of <paramref name="candidates"/> (never empty) for an I/O of <paramref name="bytes"/> bytes.</summary>
    ISelectablePath Select(ReadOnlySpan<ISelectablePath> candidates, int bytes);

    /// <summary>An I/O on <paramref name="path"/> completed (any status the target gave) after <paramref name="latency"/>.</summary>
    void OnCompleted(ISelectablePath path, TimeSpan latency, int bytes);
}
