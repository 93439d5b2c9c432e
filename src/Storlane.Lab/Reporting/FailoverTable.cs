namespace Storlane.Lab.Reporting;

/// <summary>Per policy: failover time, I/O errors the application saw (goal 0), verify errors, and the throughput dip.</summary>
public static class FailoverTable
{
    public static LabTable Build(FailoverReport report)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var row in report.Rows)
        {
            rows.Add(
            [
                row.Run > 1 ? $"{row.Policy} #{row.Run}" : row.Policy,
                Cells.Number(row.PullSeconds, "0.0") + " / " + Cells.Number(row.RestoreSeconds, "0.0"),
                row.Failovers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Cells.Number(row.FailoverMs, "0.0"),
                row.RetriedIos.ToString(System.Globalization.CultureInfo.InvariantCulture),
                row.IoErrors.ToString(System.Globalization.CultureInfo.InvariantCulture),
                row.VerifyErrors.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Cells.Number(row.BaselineMegabytesPerSecond, "0.0"),
                Cells.Number(row.MinMegabytesPerSecond, "0.0"),
                Cells.Number(row.DipPercent, "0"),
                Cells.Number(row.MeanMegabytesPerSecond, "0.0"),
            ]);
        }

        var interval = report.Rows.Count > 0 ? report.Rows[0].SampleIntervalSeconds * 1000 : double.NaN;
        var nic = report.Rows.Count > 0 ? report.Rows[0].PulledNic : 0;
        List<string> notes =
        [
            $"Pull / restore: seconds after the run's start when server nic{nic}'s cable was pulled and put back. Failover ms: last good completion on the failed path to the first good one on another (the longest after the pull). Dip: the lowest {Cells.Number(interval, "0")} ms interval between pull and restore against the mean before the pull.",
            "Links: " + report.Header.LinkDescription,
        ];
        foreach (var row in report.Rows.Where(r => r.FirstIoError is not null))
        {
            notes.Add($"{row.Policy}: first application I/O error: {row.FirstIoError}");
        }

        return new LabTable(
            "Failover: a cable pulled mid-run",
            ["Policy", "Pull / restore s", "Failovers", "Failover ms", "Retried I/Os", "App I/O errors", "Verify errors", "Before MB/s", "Min MB/s", "Dip %", "Mean MB/s"],
            rows,
            notes);
    }
}
