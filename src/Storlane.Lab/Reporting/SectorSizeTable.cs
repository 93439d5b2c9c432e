using Storlane.Bench.Suites;

namespace Storlane.Lab.Reporting;

/// <summary>
/// The seed's 512 vs 4K table (test, 512, 4K, diff, diff %) with what it lacked: the 95% confidence
/// interval of the difference, Welch's p and the verdict at alpha 0.05.
/// </summary>
public static class SectorSizeTable
{
    public static LabTable Build(SectorComparison comparison)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var row in comparison.Rows)
        {
            var p = row.Primary;
            var format = row.Metric == PrimaryMetric.Iops ? "0" : "0.00";
            rows.Add(
            [
                row.Test,
                MetricValue.Unit(row.Metric),
                Cells.Number(p.MeanA, format),
                Cells.Number(p.MeanB, format),
                Cells.Signed(p.Difference, format),
                Cells.Signed(p.DifferencePercent),
                Cells.Interval(p.CiLow, p.CiHigh),
                Cells.PValue(p.PValue),
                Cells.Verdict(p.Verdict),
            ]);
        }

        var runs = comparison.Rows.Count > 0 ? comparison.Rows[0].RunsA : 0;
        return new LabTable(
            $"{comparison.LabelA} vs {comparison.LabelB}",
            ["Test", "Unit", comparison.LabelA, comparison.LabelB, $"{comparison.LabelB} Diff", $"{comparison.LabelB} Diff %", "95% CI of diff", "p (Welch)", "Verdict"],
            rows,
            [$"Diff = {comparison.LabelB} - {comparison.LabelA}; {runs} run(s) per LUN, interleaved A B B A; p per row; verdict at alpha 0.05 on p adjusted over the {comparison.Rows.Count} rows (Holm), as they are judged together."])
        {
            FirstNumberColumn = 2,
        };
    }
}
