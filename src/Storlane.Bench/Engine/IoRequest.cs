namespace Storlane.Bench.Engine;

/// <summary>One planned I/O: a value type, so planning allocates nothing.</summary>
internal readonly record struct IoRequest(bool IsRead, long Offset, int Length);
