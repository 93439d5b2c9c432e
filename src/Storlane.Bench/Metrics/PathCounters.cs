namespace Storlane.Bench.Metrics;

/// <summary>
/// One path of a multipath target: I/Os that completed on it (<see cref="Completed"/>, with
/// <see cref="Bytes"/> of data), I/Os that met a transport error or timeout there and were reissued
/// elsewhere (<see cref="Errors"/>), and its <see cref="State"/> (active, failed, probation) at the end.
/// </summary>
public sealed record PathCounters(string Name, long Completed, long Errors, long Bytes, string State);
