using System.Globalization;

namespace Storlane.Lab.Reporting;

/// <summary>The demo's second table: the pulled cable and what the application saw of it.</summary>
public static class DemoTables
{
    public static LabTable Pull(DemoReport report)
    {
        var pull = report.Pull;
        var rows = new List<IReadOnlyList<string>>
        {
            Row("cable pulled", $"{pull.PulledPath} during '{pull.Test}' on the {pull.Lun} LUN, {Cells.Number(pull.PullSeconds, "0.00")} s into the run"),
            Row("cable restored", $"{Cells.Number(pull.RestoreSeconds, "0.00")} s into that run"),
            Row("failovers", pull.Failovers.Count.ToString(CultureInfo.InvariantCulture)),
        };
        foreach (var (test, lun, failover) in pull.Failovers)
        {
            rows.Add(Row($"  {lun} LUN", $"{failover.FromPath} -> {failover.ToPath} in {Cells.Number(failover.DurationMs, "0.0")} ms, {failover.RetriedIos} I/O(s) retried ({ShortReason(failover.Reason)}; in '{test}')"));
        }

        rows.Add(Row("application I/O errors", pull.IoErrors.ToString(CultureInfo.InvariantCulture) + (pull.IoErrors == 0 ? " (none: multipath hid the pull)" : " (first: " + pull.FirstIoError + ")")));
        return new LabTable("A cable pulled mid-run", ["What", "Result"], rows,
        [
            "Failover time: last good I/O on the failed path to the first good one on another. A LUN idle at the pull counts from its last I/O before it, so its figure is mostly idle time.",
            "Links: " + report.Header.LinkDescription,
        ])
        {
            FirstNumberColumn = 2,
        };
    }

    /// <summary>"link down" of "link down: connection to ... lost: ...": the detail is in the JSON.</summary>
    public static string ShortReason(string reason)
    {
        var colon = reason.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? reason[..colon] : reason;
    }

    private static IReadOnlyList<string> Row(string what, string result) => [what, result];
}
