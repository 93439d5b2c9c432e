namespace Storlane.Initiator.Multipath;

/// <summary>Thresholds of <see cref="PathHealth"/>.</summary>
public sealed class PathHealthOptions
{
    /// <summary>Good probes in a row a failed path needs before it carries I/O again, when it has not flapped.</summary>
    public int GoodProbesToReadmit { get; init; } = 2;

    /// <summary>A failure within this time of the previous one counts as a flap; each flap doubles the probes needed (up to 16x).</summary>
    public TimeSpan FlapWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A completion slower than this counts as a soft error.</summary>
    public TimeSpan SlowIoThreshold { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Soft errors in a row that fail the path.</summary>
    public int SlowIosToFail { get; init; } = 8;
}
