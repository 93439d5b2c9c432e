using System.Buffers;
using Storlane.Iscsi.Tests.Pdu;

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

        return SequenceBuilder.Split(data, [.. cuts]);
    }
}
