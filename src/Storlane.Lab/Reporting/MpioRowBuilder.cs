using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;
using Storlane.Bench.Statistics;
using Storlane.Bench.Suites;

namespace Storlane.Lab.Reporting;

/// <summary>Turns one bench result per configuration into the MPIO table's rows, with deviance from the control.</summary>
public static class MpioRowBuilder
{
    public const string ControlId = "D";

    /// <summary>What one configuration ran, before it is compared with the control.</summary>
    public sealed record Measured(string Id, string Description, string Topology, string? Policy, IReadOnlyList<string> Paths, int StandbyPaths, BenchReport Report, string BenchJson);

    /// <summary>Rows sorted by sequential read MB/s, best first; deviance against <see cref="ControlId"/> (NaN when it did not run).</summary>
    public static IReadOnlyList<MpioRow> Build(IReadOnlyList<Measured> measured, string seqRead, string seqWrite, string randomRead)
    {
        var control = measured.FirstOrDefault(m => m.Id == ControlId);
        var rows = new List<MpioRow>();
        foreach (var m in measured)
        {
            rows.Add(new MpioRow
            {
                Id = m.Id,
                Description = m.Description,
                Topology = m.Topology,
                Policy = m.Policy,
                Paths = m.Paths,
                ActivePaths = m.Paths.Count - m.StandbyPaths,
                StandbyPaths = m.StandbyPaths,
                SeqRead = Figure(m.Report, control?.Report, seqRead),
                SeqWrite = Figure(m.Report, control?.Report, seqWrite),
                RandomRead = Figure(m.Report, control?.Report, randomRead),
                BenchJson = m.BenchJson,
            });
        }

        rows.Sort((a, b) => Descending(a.SeqRead.Mean, b.SeqRead.Mean));
        return rows;
    }

    private static int Descending(double a, double b) => (double.IsNaN(b) ? double.MinValue : b).CompareTo(double.IsNaN(a) ? double.MinValue : a);

    private static MpioFigure Figure(BenchReport report, BenchReport? control, string test)
    {
        var (runs, metric) = Runs(report, test);
        if (runs.Count == 0)
        {
            return new MpioFigure(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, [], 0);
        }

        var values = runs.Select(r => MetricValue.Of(r, metric)).ToArray();
        var mean = values.Average();
        var sd = values.Length > 1 ? MathNet.Numerics.Statistics.Statistics.StandardDeviation(values) : double.NaN;
        var deviance = double.NaN;
        var p = double.NaN;
        if (control is not null && !ReferenceEquals(control, report))
        {
            var (controlRuns, _) = Runs(control, test);
            if (controlRuns.Count > 0)
            {
                var controlValues = controlRuns.Select(r => MetricValue.Of(r, metric)).ToArray();
                var comparison = Comparison.Compare(controlValues, values);
                deviance = comparison.DifferencePercent;
                p = comparison.PValue;
            }
        }
        else if (control is not null)
        {
            deviance = 0;
        }

        return new MpioFigure(mean, sd, runs.Average(r => r.MeanLatencyMs), deviance, p, values, runs.Sum(r => r.IoErrors));
    }

    private static (IReadOnlyList<TestMeasurement> Runs, PrimaryMetric Metric) Runs(BenchReport report, string test)
    {
        var found = report.Tests.FirstOrDefault(t => t.Name == test);
        return found is null || found.Results.Count == 0 ? ([], PrimaryMetric.Iops) : (found.Results[0].Runs, found.Metric);
    }
}
