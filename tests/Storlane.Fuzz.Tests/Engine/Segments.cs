using System.Buffers;

namespace Storlane.Fuzz.Tests.Engine;

/// <summary>Cuts bytes into a multi-segment sequence at random points, as a pipe hands out reads.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> SplitRandomly(byte[] data, Random random)
    {
        var count = random.Next(4) == 0 ? 1 : 1 + random.Next(Math.Min(8, data.Length + 1));
        var cuts = new SortedSet<int>();
        for (var i = 1; i < count; i++)
        {
            cuts.Add(random.Next(data.Length + 1));
        }

        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var cut in cuts.Append(data.Length))
        {
            // A fresh array per segment: a reader that strays past a segment's end cannot read its neighbour.
            var segment = new Segment(data.AsSpan(start, cut - start).ToArray(), last);
            first ??= segment;
            last = segment;
            start = cut;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
