using Storlane.Bench.Workload;

namespace Storlane.Bench.Engine;

/// <summary>
/// Picks each I/O of one worker: access line by weight, then read or write, then random or
/// sequential offset. Sequential I/O continues where the worker's previous I/O ended (Iometer's
/// rule). With verify on, a new I/O never overlaps one of the worker's own I/Os in flight, so a read
/// cannot race a write. Called under the worker's lock by its slots.
/// </summary>
internal sealed class IoPlanner
{
    private const int OverlapRetries = 64;

    private readonly AccessLine[] _lines;
    private readonly int[] _cumulativeWeights;
    private readonly long[] _alignments;
    private readonly long _regionStart;
    private readonly long _regionEnd;
    private readonly Random _random;
    private readonly bool _avoidOverlap;
    private readonly IoRequest[] _inFlight;
    private long _cursor;

    public IoPlanner(WorkloadSpec spec, long regionStart, long regionEnd, long firstSequentialOffset, int seed)
    {
        _lines = [.. spec.Access];
        _cumulativeWeights = new int[_lines.Length];
        _alignments = new long[_lines.Length];
        var total = 0;
        for (var i = 0; i < _lines.Length; i++)
        {
            total += _lines[i].Weight;
            _cumulativeWeights[i] = total;
            _alignments[i] = spec.Alignment > 0 ? spec.Alignment : _lines[i].BlockSize;
        }

        _regionStart = regionStart;
        _regionEnd = regionEnd;
        _cursor = firstSequentialOffset;
        _random = new Random(seed);
        _avoidOverlap = spec.Verify;
        _inFlight = new IoRequest[spec.QueueDepth];
    }

    public IoRequest Next(int slot)
    {
        var line = PickLine();
        var length = _lines[line].BlockSize;
        var isRead = _random.Next(100) < _lines[line].ReadPercent;
        var isRandom = _random.Next(100) < _lines[line].RandomPercent;
        var offset = isRandom ? RandomOffset(length, _alignments[line]) : SequentialOffset(length, _alignments[line]);
        for (var attempt = 0; _avoidOverlap && Overlaps(offset, length) && attempt < OverlapRetries; attempt++)
        {
            offset = RandomOffset(length, _alignments[line]);
        }

        _cursor = offset + length;
        var request = new IoRequest(isRead, offset, length);
        _inFlight[slot] = request;
        return request;
    }

    public void Complete(int slot) => _inFlight[slot] = default;

    private int PickLine()
    {
        if (_lines.Length == 1)
        {
            return 0;
        }

        var draw = _random.Next(_cumulativeWeights[^1]);
        var line = 0;
        while (draw >= _cumulativeWeights[line])
        {
            line++;
        }

        return line;
    }

    private long RandomOffset(int length, long alignment)
    {
        var first = AlignUp(_regionStart, alignment);
        var positions = ((_regionEnd - length - first) / alignment) + 1;
        return first + (_random.NextInt64(positions) * alignment);
    }

    private long SequentialOffset(int length, long alignment)
    {
        var offset = AlignUp(_cursor, alignment);
        return offset + length > _regionEnd ? AlignUp(_regionStart, alignment) : offset;
    }

    private bool Overlaps(long offset, int length)
    {
        foreach (var other in _inFlight)
        {
            if (other.Length > 0 && offset < other.Offset + other.Length && other.Offset < offset + length)
            {
                return true;
            }
        }

        return false;
    }

    private static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
}
