namespace Storlane.Bench.Engine;

/// <summary>
/// The order runs of several targets take: A B, then B A, then A B ... ("ABBA"), so slow drift
/// (caches warming, thermal throttling, a neighbour's load) hits every target alike.
/// </summary>
public static class RunOrder
{
    /// <summary>Target indices for repetition <paramref name="repetition"/> (0-based) of <paramref name="targets"/> targets.</summary>
    public static int[] ForRepetition(int repetition, int targets)
    {
        var order = new int[targets];
        for (var i = 0; i < targets; i++)
        {
            order[i] = repetition % 2 == 0 ? i : targets - 1 - i;
        }

        return order;
    }
}
