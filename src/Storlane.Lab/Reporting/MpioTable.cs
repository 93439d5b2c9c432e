namespace Storlane.Lab.Reporting;

/// <summary>
/// The seed's MPIO results table: per configuration sequential 4 MB read and write (MB/s, response
/// ms, control deviance %), plus 4K QD16 IOPS; best read first.
/// </summary>
public static class MpioTable
{
    public static LabTable Build(MpioReport report)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var row in report.Rows)
        {
            rows.Add(
            [
                row.Id,
                row.Description,
                row.Policy ?? "single path",
                Active(row),
                Throughput(row.SeqRead),
                Cells.Number(row.SeqRead.ResponseMs, "0.0"),
                Cells.Signed(row.SeqRead.ControlDeviancePercent, "0.0"),
                Throughput(row.SeqWrite),
                Cells.Number(row.SeqWrite.ResponseMs, "0.0"),
                Cells.Signed(row.SeqWrite.ControlDeviancePercent, "0.0"),
                Cells.Number(row.RandomRead.Mean, "0"),
                Cells.Signed(row.RandomRead.ControlDeviancePercent, "0.0"),
            ]);
        }

        var runs = report.Rows.Count > 0 ? report.Rows[0].SeqRead.Runs : 0;
        var errors = report.Rows.Sum(r => r.SeqRead.IoErrors + r.SeqWrite.IoErrors + r.RandomRead.IoErrors);
        List<string> notes =
        [
            $"Control deviance = change in MB/s (IOPS) against D, the single NIC to single port control. Seq 4MB = 1 MiB commands, 4 in flight; response = mean per command. Mean of {runs} run(s); one link carries at most {Cells.Number(report.LinkPayloadMegabytesPerSecond, "0.0")} MB/s of payload.",
            "Links: " + report.Header.LinkDescription,
        ];
        if (errors > 0)
        {
            notes.Add($"{errors} I/O error(s) reached the application: see the bench results.");
        }

        return new LabTable(
            "MPIO: sequential 4 MB and 4K QD16",
            ["Test", "Configuration", "Policy", "Active/standby", "Read MB/s", "Read ms", "Read dev. %", "Write MB/s", "Write ms", "Write dev. %", "4K QD16 IOPS", "IOPS dev. %"],
            rows,
            notes)
        {
            FirstNumberColumn = 4,
        };
    }

    private static string Active(MpioRow row) => row.StandbyPaths == 0 ? $"{row.ActivePaths}" : $"{row.ActivePaths}/{row.StandbyPaths}";

    private static string Throughput(MpioFigure figure) =>
        double.IsNaN(figure.StandardDeviation) ? Cells.Number(figure.Mean, "0.0") : Cells.Number(figure.Mean, "0.0") + " ± " + Cells.Number(figure.StandardDeviation, "0.0");
}
