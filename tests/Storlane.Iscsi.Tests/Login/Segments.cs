using System.Buffers;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>Builds multi-segment sequences, as data joined from several PDUs would be.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var first = new Segments(data.AsMemory(0, cuts[0]), 0);
        var last = first;
        for (var i = 0; i < cuts.Length; i++)
        {
            var end = i + 1 < cuts.Length ? cuts[i + 1] : data.Length;
            var next = new Segments(data.AsMemory(cuts[i], end - cuts[i]), cuts[i]);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
