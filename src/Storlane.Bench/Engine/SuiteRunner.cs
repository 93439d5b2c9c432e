using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;

namespace Storlane.Bench.Engine;

/// <summary>Runs a suite on one or more targets, <c>repeat</c> times per test, interleaved (ABBA).</summary>
public static class SuiteRunner
{
    /// <summary>Progress: test name, target index, run number (1-based) of total runs, fraction of the current run done.</summary>
    public delegate void ProgressHandler(string test, int target, int run, int totalRuns, double fraction);

    /// <summary>
    /// Runs every test of <paramref name="suite"/>; <paramref name="sampleInterval"/> is each run's
    /// time series interval (default 1 s). When <paramref name="cancellationToken"/> fires (Ctrl-C),
    /// the run in progress is dropped and the report holds every run completed so far, marked
    /// <see cref="BenchReport.Partial"/>; a target with no completed run of a test has an empty list.
    /// </summary>
    public static async Task<BenchReport> RunAsync(BenchSuite suite, IReadOnlyList<IBenchTarget> targets, int repeat, ProgressHandler? progress = null, TimeSpan? sampleInterval = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        ArgumentOutOfRangeException.ThrowIfZero(targets.Count);
        var totalRuns = suite.Tests.Count * repeat * targets.Count;
        var run = 0;
        var completed = 0;
        var stopped = false;
        var tests = new List<TestReport>();
        foreach (var test in suite.Tests)
        {
            var runs = new List<TestMeasurement>[targets.Count];
            for (var t = 0; t < targets.Count; t++)
            {
                runs[t] = [];
            }

            try
            {
                for (var repetition = 0; repetition < repeat; repetition++)
                {
                    foreach (var t in RunOrder.ForRepetition(repetition, targets.Count))
                    {
                        run++;
                        var current = run;
                        progress?.Invoke(test.Name, t, current, totalRuns, 0);
                        var measurement = await WorkloadRunner.RunAsync(targets[t], test.Workload, sampleInterval ?? WorkloadRunner.DefaultSampleInterval, fraction => progress?.Invoke(test.Name, t, current, totalRuns, fraction), cancellationToken).ConfigureAwait(false);
                        runs[t].Add(measurement);
                        completed++;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                stopped = true;
            }

            if (!stopped || runs.Any(r => r.Count > 0))
            {
                var results = new List<TargetRuns>();
                for (var t = 0; t < targets.Count; t++)
                {
                    results.Add(new TargetRuns { Target = t, Runs = runs[t] });
                }

                tests.Add(new TestReport { Name = test.Name, Metric = test.Metric, Workload = test.Workload, Results = results });
            }

            if (stopped)
            {
                break;
            }
        }

        var targetInfos = new List<BenchTargetInfo>();
        foreach (var target in targets)
        {
            targetInfos.Add(target.Info);
        }

        return new BenchReport
        {
            StorlaneVersion = MachineInfo.StorlaneVersion(),
            CreatedUtc = DateTimeOffset.UtcNow,
            Machine = MachineInfo.Current(),
            Suite = suite.Name,
            Repeat = repeat,
            Order = targets.Count > 1 ? "ABBA" : "single",
            Targets = targetInfos,
            Tests = tests,
            Partial = stopped ? new PartialRun(completed, totalRuns) : null,
        };
    }
}
