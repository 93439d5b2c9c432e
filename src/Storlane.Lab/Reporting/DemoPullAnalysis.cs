using Storlane.Bench.Engine;
using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;

namespace Storlane.Lab.Reporting;

/// <summary>Finds the run a cable was pulled in (runs count as the bench runs them: row by row, A B then B A) and gathers what the pull did.</summary>
public static class DemoPullAnalysis
{
    public static DemoPull Analyze(BenchReport report, int pulledRun, IReadOnlyList<string> lunLabels, string pulledPath, double pullSeconds, double restoreSeconds, Func<string, string>? pathLabel = null)
    {
        pathLabel ??= name => name;
        var (test, target, measurement) = FindRun(report, pulledRun);
        string Lun(int index) => index < lunLabels.Count ? lunLabels[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var failovers = new List<DemoFailover>();
        foreach (var t in report.Tests)
        {
            foreach (var result in t.Results)
            {
                foreach (var failover in result.Runs.SelectMany(m => m.Failovers))
                {
                    failovers.Add(new DemoFailover(t.Name, Lun(result.Target), failover with { FromPath = pathLabel(failover.FromPath), ToPath = pathLabel(failover.ToPath) }));
                }
            }
        }

        var all = report.Tests.SelectMany(t => t.Results).SelectMany(r => r.Runs).ToList();
        return new DemoPull
        {
            PulledPath = pulledPath,
            Test = test,
            Lun = Lun(target),
            PullSeconds = pullSeconds,
            RestoreSeconds = restoreSeconds,
            Failovers = failovers,
            IoErrors = all.Sum(m => m.IoErrors),
            FirstIoError = all.Select(m => m.FirstIoError).FirstOrDefault(e => e is not null),
            VerifyErrors = all.Sum(m => m.VerifyErrors),
            SampleIntervalSeconds = measurement.SampleIntervalSeconds,
            Series = measurement.TimeSeries,
        };
    }

    /// <summary>Run <paramref name="run"/> (1-based) in the bench's order.</summary>
    public static (string Test, int Target, TestMeasurement Measurement) FindRun(BenchReport report, int run)
    {
        var count = 0;
        foreach (var test in report.Tests)
        {
            for (var repetition = 0; repetition < report.Repeat; repetition++)
            {
                foreach (var target in RunOrder.ForRepetition(repetition, report.Targets.Count))
                {
                    if (++count == run)
                    {
                        return (test.Name, target, test.Results[target].Runs[repetition]);
                    }
                }
            }
        }

        throw new InvalidDataException($"the bench result holds {count} runs, not run {run}");
    }
}
