using Storlane.Bench.Statistics;
using Storlane.Bench.Suites;

namespace Storlane.Bench.Reporting;

/// <summary>Pairs the tests of two result sets by name and compares each row's primary metric and mean latency.</summary>
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

        return rows;
    }
}

/// <summary>One compared row: the primary metric by Welch, mean latency by Mann-Whitney.</summary>
public sealed record RowComparison(string Test, PrimaryMetric Metric, int RunsA, int RunsB, ComparisonResult Primary, ComparisonResult Latency);
