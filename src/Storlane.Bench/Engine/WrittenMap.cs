namespace Storlane.Bench.Engine;

/// <summary>
/// One bit per verify unit: set once a write of that unit completed, so a read of an unstamped
/// unit that should hold a stamp is reported (a lost write), not skipped as never written.
/// </summary>
internal sealed class WrittenMap
{
    /// <summary>64 MiB of bits at most; larger regions need a larger verify unit (block size).</summary>
    public const long MaxUnits = 512L * 1024 * 1024;

    private readonly long[] _bits;
    private readonly long _regionStart;
    private readonly int _unit;

    public WrittenMap(long regionStart, long regionLength, int unit)
    {
        var units = regionLength / unit;
        if (units > MaxUnits)
        {
            throw new InvalidOperationException($"verify over {regionLength} bytes in {unit}-byte units needs too large a map; narrow the region or use larger blocks");
        }

        _bits = new long[(units + 63) / 64];
        _regionStart = regionStart;
        _unit = unit;
    }

    public void MarkWritten(long offset, int length)
    {
        for (var unit = (offset - _regionStart) / _unit; length > 0; unit++, length -= _unit)
        {
            Interlocked.Or(ref _bits[unit >> 6], 1L << (int)(unit & 63));
        }
    }

    public bool IsWritten(long offset)
    {
        var unit = (offset - _regionStart) / _unit;
        return (Volatile.Read(ref _bits[unit >> 6]) & (1L << (int)(unit & 63))) != 0;
    }
}
