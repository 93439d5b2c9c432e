namespace Storlane.Bench.Metrics;

/// <summary>
/// One failover of a multipath target within a run. <see cref="AtSeconds"/> is when it began (the
/// failed path's last good completion), in seconds since the run's measured start (negative in the
/// warm-up); <see cref="DurationMs"/> runs from there to the first good completion on another path.
/// </summary>
public sealed record FailoverRecord(double AtSeconds, string FromPath, string ToPath, double DurationMs, int RetriedIos, string Reason);
