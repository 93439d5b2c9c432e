using Storlane.Bench.Reporting;

namespace Storlane.Lab.Reporting;

/// <summary>Reads a failover run's bench result: failover time, application errors and the throughput dip around the pull.</summary>
public static class FailoverAnalysis
{
    /// <summary><paramref name="pathLabel"/> renames the bench's paths (portals) for the report; null keeps them.</summary>
    public static FailoverRow Analyze(BenchReport report, string policy, int pulledNic, double pullSeconds, double restoreSeconds, string benchJson, Func<string, string>? pathLabel = null)
    {
        pathLabel ??= name => name;
        var run = report.Tests.SelectMany(t => t.Results).SelectMany(r => r.Runs).FirstOrDefault()
            ?? throw new InvalidDataException($"{benchJson}: the bench result holds no run");
        var interval = run.SampleIntervalSeconds > 0 ? run.SampleIntervalSeconds : 1;
        var series = run.TimeSeries;

        // Whole intervals before the pull make the baseline; from the pull to the restore, the lowest
        // interval is the dip (what failing over cost; failback after the restore is another story,
        // told by the chart). The last interval is partial (scaled to a rate) and left out of both.
        double baselineSum = 0;
        var baselineCount = 0;
        var min = double.NaN;
        for (var i = 0; i < series.Count - 1; i++)
        {
            var sample = series[i];
            if (sample.StartSeconds + interval <= pullSeconds)
            {
                baselineSum += sample.MegabytesPerSecond;
                baselineCount++;
            }
            else if (sample.StartSeconds < restoreSeconds && (double.IsNaN(min) || sample.MegabytesPerSecond < min))
            {
                min = sample.MegabytesPerSecond;
            }
        }

        var baseline = baselineCount > 0 ? baselineSum / baselineCount : double.NaN;
        var failovers = run.Failovers.Select(f => f with { FromPath = pathLabel(f.FromPath), ToPath = pathLabel(f.ToPath) }).ToList();
        var afterPull = failovers.Where(f => f.AtSeconds >= pullSeconds - interval).ToList();
        return new FailoverRow
        {
            Policy = policy,
            PulledNic = pulledNic,
            PullSeconds = pullSeconds,
            RestoreSeconds = restoreSeconds,
            Failovers = failovers,
            FailoverMs = afterPull.Count > 0 ? afterPull.Max(f => f.DurationMs) : double.NaN,
            RetriedIos = failovers.Sum(f => f.RetriedIos),
            IoErrors = run.IoErrors,
            FirstIoError = run.FirstIoError,
            VerifyErrors = run.VerifyErrors,
            VerifiedBlocks = run.VerifiedBlocks,
            BaselineMegabytesPerSecond = baseline,
            MinMegabytesPerSecond = min,
            DipPercent = baseline > 0 && !double.IsNaN(min) ? 100 * (baseline - min) / baseline : double.NaN,
            MeanMegabytesPerSecond = run.MegabytesPerSecond,
            SampleIntervalSeconds = interval,
            Series = series,
            Paths = [.. run.Paths.Select(p => p with { Name = pathLabel(p.Name) })],
            BenchJson = benchJson,
        };
    }
}
