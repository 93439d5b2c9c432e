namespace Storlane.Bench.Statistics;

/// <summary>
/// Holm's step-down correction (Holm 1979) for judging several rows at once: with ten rows at
/// alpha 0.05 one "significant" row in two is noise unless each p is adjusted. Sorted ascending,
/// the i-th smallest p (1-based) is multiplied by m - i + 1, kept non-decreasing and capped at 1.
/// It controls the family-wise error like Bonferroni and rejects at least as often.
/// </summary>
public static class HolmCorrection
{
    /// <summary>Adjusted p-values in the order of <paramref name="pValues"/>; NaN (no test) stays NaN and does not count in m.</summary>
    public static double[] Adjust(IReadOnlyList<double> pValues)
    {
        var adjusted = new double[pValues.Count];
        var order = new List<int>();
        for (var i = 0; i < pValues.Count; i++)
        {
            adjusted[i] = double.NaN;
            if (!double.IsNaN(pValues[i]))
            {
                order.Add(i);
            }
        }

        order.Sort((x, y) => pValues[x].CompareTo(pValues[y]));
        var running = 0.0;
        for (var rank = 0; rank < order.Count; rank++)
        {
            running = Math.Max(running, Math.Min(1, (order.Count - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }

        return adjusted;
    }

    /// <summary>How many of <paramref name="pValues"/> are tests (not NaN): the m of the correction.</summary>
    public static int Family(IReadOnlyList<double> pValues)
    {
        var m = 0;
        foreach (var p in pValues)
        {
            m += double.IsNaN(p) ? 0 : 1;
        }

        return m;
    }
}
