using Storlane.Bench.Reporting;

namespace Storlane.Lab.Reporting;

/// <summary>Adds to the failover experiment's analysis of the demo's pulled-cable run what the application saw: its slowest I/O and its longest stall.</summary>
public static class DemoFailoverAnalysis
{
    public static DemoFailover Analyze(BenchReport report, FailoverRow row, string workload, string pulledPath)
    {
        var run = report.Tests.SelectMany(t => t.Results).SelectMany(r => r.Runs).FirstOrDefault()
            ?? throw new InvalidDataException($"{row.BenchJson}: the bench result holds no run");
        return new DemoFailover
        {
            Workload = workload,
            PulledPath = pulledPath,
            Run = row,
            LongestIoMs = run.MaxLatencyMs,
            P99LatencyMs = run.P99LatencyMs,
            LongestStallMs = LongestStallIntervals(run.TimeSeries) * row.SampleIntervalSeconds * 1000,
        };
    }

    /// <summary>Most consecutive intervals with no completion; the last interval (partial, maybe cut by the run's end) is left out.</summary>
    public static int LongestStallIntervals(IReadOnlyList<Bench.Metrics.TimeSample> series)
    {
        int longest = 0, current = 0;
        for (var i = 0; i < series.Count - 1; i++)
        {
            current = series[i].Ios == 0 ? current + 1 : 0;
            longest = Math.Max(longest, current);
        }

        return longest;
    }
}
