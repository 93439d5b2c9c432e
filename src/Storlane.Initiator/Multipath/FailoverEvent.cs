namespace Storlane.Initiator.Multipath;

/// <summary>
/// One measured failover: <see cref="Duration"/> runs from the last good completion on the failed
/// path (or the failure itself, when the path held no I/O) to the first good completion on another
/// path after the failure; <see cref="RetriedIos"/> counts the I/Os reissued because of it.
/// <see cref="StartTimestamp"/> is the moment the window began, a <see cref="System.Diagnostics.Stopwatch"/>
/// timestamp: monotonic, and on the same clock as the I/O timings it is compared with (a run's start,
/// its time series), which a wall-clock time would not be.
/// </summary>
public sealed record FailoverEvent(string FromPath, string ToPath, TimeSpan Duration, int RetriedIos, string Reason, long StartTimestamp);
