using System.Buffers;

namespace Storlane.Iscsi.Tests.Pdu;

/// <summary>Builds multi-segment sequences, as a pipe hands out when a PDU straddles buffers.</summary>
internal static class SequenceBuilder
{
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var start = 0;
        Segment? first = null;
        Segment? last = null;
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
