namespace Storlane.Initiator.Multipath;

/// <summary>
/// One measured failover: <see cref="Duration"/> runs from the last good completion on the failed
/// path to the first good completion on another path after the failure; <see cref="RetriedIos"/>
/// counts the I/Os reissued because of it.
/// </summary>
public sealed record FailoverEvent(string FromPath, string ToPath, TimeSpan Duration, int RetriedIos, string Reason);
