using Storlane.Bench.Statistics;
using Storlane.Bench.Suites;

namespace Storlane.Bench.Reporting;

/// <summary>
/// Pairs the tests of two result sets by name and compares each row's primary metric and mean
/// latency. The rows of a suite are judged together: each family (the primary metrics, the
/// latencies) is corrected with <see cref="HolmCorrection"/>, and the verdict is taken on the
/// adjusted p; the raw p stays beside it.
/// </summary>
public static class ReportComparer
{
    /// <summary>
    /// Compares target <paramref name="targetA"/> of <paramref name="a"/> with target
    /// <paramref name="targetB"/> of <paramref name="b"/> (pass one report twice, with targets 0
    /// and 1, for a file that benchmarked two targets together). Tests missing from either side are skipped.
    /// </summary>
    public static IReadOnlyList<RowComparison> Compare(BenchReport a, BenchReport b, int targetA = 0, int targetB = 0, double alpha = Comparison.DefaultAlpha)
    {
        var rows = new List<RowComparison>();
        foreach (var testA in a.Tests)
        {
            var testB = b.Tests.FirstOrDefault(t => t.Name == testA.Name);
            if (testB is null || targetA >= testA.Results.Count || targetB >= testB.Results.Count)
            {
                continue;
            }

            var runsA = testA.Results[targetA].Runs;
            var runsB = testB.Results[targetB].Runs;
            var metric = Comparison.Compare(
                [.. runsA.Select(m => MetricValue.Of(m, testA.Metric))],
                [.. runsB.Select(m => MetricValue.Of(m, testA.Metric))],
                MetricValue.IsLatency(testA.Metric),
                alpha);
            var latency = Comparison.Compare([.. runsA.Select(m => m.MeanLatencyMs)], [.. runsB.Select(m => m.MeanLatencyMs)], rankBased: true, alpha);
            rows.Add(new RowComparison(testA.Name, testA.Metric, runsA.Count, runsB.Count, metric, latency));
        }

        var primary = Correct([.. rows.Select(r => r.Primary)], alpha);
        var latencies = Correct([.. rows.Select(r => r.Latency)], alpha);
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i] = rows[i] with { Primary = primary[i], Latency = latencies[i], Family = primary.Count };
        }

        return rows;
    }

    /// <summary>Holm-adjusts one family of results and re-judges each on its adjusted p.</summary>
    private static List<ComparisonResult> Correct(List<ComparisonResult> family, double alpha)
    {
        var adjusted = HolmCorrection.Adjust([.. family.Select(r => r.PValue)]);
        var m = HolmCorrection.Family([.. family.Select(r => r.PValue)]);
        for (var i = 0; i < family.Count; i++)
        {
            var result = family[i];
            if (result.Verdict == Verdict.NotEnoughRuns)
            {
                continue;
            }

            // The best any row can do after correction is its floor times m (it would rank first).
            var verdict = result.MinimumPValue * m >= alpha ? Verdict.CannotBeSignificant
                : adjusted[i] < alpha ? Verdict.Significant
                : Verdict.NotSignificant;
            family[i] = result with { AdjustedPValue = adjusted[i], Verdict = verdict };
        }

        return family;
    }
}

/// <summary>
/// One compared row: the primary metric by Welch (Mann-Whitney when it is a latency), mean latency
/// by Mann-Whitney; <see cref="Family"/> is the number of rows corrected together.
/// </summary>
public sealed record RowComparison(string Test, PrimaryMetric Metric, int RunsA, int RunsB, ComparisonResult Primary, ComparisonResult Latency)
{
    public int Family { get; init; } = 1;
}
