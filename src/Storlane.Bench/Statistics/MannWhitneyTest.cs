using MathNet.Numerics.Distributions;

namespace Storlane.Bench.Statistics;

/// <summary>
/// Mann-Whitney U test, two-sided, for latency (skewed, so ranks rather than means). Exact p from
/// the distribution of U when both samples are small and untied (as with a few repeats); the normal
/// approximation with tie and continuity corrections otherwise.
/// </summary>
public static class MannWhitneyTest
{
    private const int ExactLimit = 20;

    public static MannWhitneyResult Compute(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        int n1 = a.Count, n2 = b.Count;
        if (n1 == 0 || n2 == 0)
        {
            throw new ArgumentException("Mann-Whitney needs at least one sample on each side");
        }

        var (rankSumA, tieTerm) = RankSumOfFirst(a, b);
        var u1 = rankSumA - (n1 * (n1 + 1) / 2.0);
        var u = Math.Min(u1, ((double)n1 * n2) - u1);
        if (tieTerm == 0 && n1 <= ExactLimit && n2 <= ExactLimit)
        {
            return new MannWhitneyResult(u1, Math.Min(1, 2 * ExactLowerTail(n1, n2, (int)u)), true);
        }

        double n = n1 + n2;
        var mean = n1 * n2 / 2.0;
        var variance = n1 * n2 / 12.0 * ((n + 1) - (tieTerm / (n * (n - 1))));
        if (variance <= 0)
        {
            return new MannWhitneyResult(u1, 1, false);
        }

        var z = (Math.Abs(u1 - mean) - 0.5) / Math.Sqrt(variance);
        return new MannWhitneyResult(u1, Math.Min(1, 2 * Normal.CDF(0, 1, -Math.Max(0, z))), false);
    }

    /// <summary>
    /// The smallest two-sided p the exact test can give for these sample sizes: the two most extreme
    /// arrangements of C(n1 + n2, n1), so 2 / C(n1 + n2, n1) (0.1 at n = 3 per side, 0.0286 at 4,
    /// 0.0079 at 5). Below 0.05 only from 4 runs per side; no data can do better.
    /// </summary>
    public static double MinimumPValue(int n1, int n2)
    {
        if (n1 == 0 || n2 == 0)
        {
            return 1;
        }

        // C(n1 + n2, n1) as a product of ratios; in double it stays exact far beyond the runs a bench makes.
        double arrangements = 1;
        for (var i = 1; i <= n1; i++)
        {
            arrangements = arrangements * (n2 + i) / i;
        }

        return Math.Min(1, 2 / arrangements);
    }

    /// <summary>Sum of A's ranks in the pooled sample (ties get their mean rank) and the tie term sum(t^3 - t).</summary>
    private static (double RankSum, double TieTerm) RankSumOfFirst(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var pooled = new (double Value, bool FromA)[a.Count + b.Count];
        for (var i = 0; i < a.Count; i++)
        {
            pooled[i] = (a[i], true);
        }

        for (var i = 0; i < b.Count; i++)
        {
            pooled[a.Count + i] = (b[i], false);
        }

        Array.Sort(pooled, (x, y) => x.Value.CompareTo(y.Value));
        double rankSum = 0, tieTerm = 0;
        for (var start = 0; start < pooled.Length;)
        {
            var end = start;
            while (end + 1 < pooled.Length && pooled[end + 1].Value == pooled[start].Value)
            {
                end++;
            }

            var rank = ((start + end) / 2.0) + 1;
            var ties = end - start + 1;
            tieTerm += ((double)ties * ties * ties) - ties;
            for (var i = start; i <= end; i++)
            {
                rankSum += pooled[i].FromA ? rank : 0;
            }

            start = end + 1;
        }

        return (rankSum, tieTerm);
    }

    /// <summary>P(U &lt;= u) under the null, by counting arrangements (the recurrence of Mann and Whitney, 1947).</summary>
    private static double ExactLowerTail(int n1, int n2, int u)
    {
        // counts[i, j][k]: arrangements of i A's and j B's with U = k.
        var counts = new double[n1 + 1, n2 + 1][];
        for (var i = 0; i <= n1; i++)
        {
            for (var j = 0; j <= n2; j++)
            {
                var row = new double[(i * j) + 1];
                if (i == 0 || j == 0)
                {
                    row[0] = 1;
                }
                else
                {
                    // The largest value is either an A (beats all j B's) or a B.
                    var withA = counts[i - 1, j];
                    var withB = counts[i, j - 1];
                    for (var k = 0; k < withA.Length; k++)
                    {
                        row[k + j] += withA[k];
                    }

                    for (var k = 0; k < withB.Length; k++)
                    {
                        row[k] += withB[k];
                    }
                }

                counts[i, j] = row;
            }
        }

        var all = counts[n1, n2];
        double total = 0, tail = 0;
        for (var k = 0; k < all.Length; k++)
        {
            total += all[k];
            tail += k <= u ? all[k] : 0;
        }

        return tail / total;
    }
}

/// <summary>U of sample A, two-sided p, and whether p is exact.</summary>
public readonly record struct MannWhitneyResult(double U, double PValue, bool Exact);
