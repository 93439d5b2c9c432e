using System.Globalization;

namespace Storlane.Lab.Reporting;

/// <summary>The HTML report of <c>storlane lab failover</c>: the table, then per policy throughput over time with the pull, the restore and each failover marked.</summary>
public static class FailoverPage
{
    public const string PullColor = "#c0392b";
    public const string RestoreColor = "#27ae60";
    public const string FailoverColor = "#8e44ad";

    public static string Html(FailoverReport report)
    {
        var sections = new List<string> { FailoverTable.Build(report).Html() };
        foreach (var row in report.Rows)
        {
            sections.Add(LabHtml.Figure(Chart(row)));
        }

        sections.Add("<h2>Failovers</h2><ul>");
        foreach (var row in report.Rows)
        {
            foreach (var failover in row.Failovers)
            {
                sections.Add("<li>" + LabHtml.Encode(string.Create(CultureInfo.InvariantCulture,
                    $"{row.Policy}: at {failover.AtSeconds:0.000} s, {failover.FromPath} → {failover.ToPath} in {failover.DurationMs:0.0} ms, {failover.RetriedIos} I/O(s) retried ({failover.Reason})")) + "</li>");
            }

            sections.Add("<li>" + LabHtml.Link(row.BenchJson, row.Policy + ": bench result") + "</li>");
        }

        sections.Add("</ul>");
        return LabHtml.Page(report.Header, "storlane lab failover: a cable pulled mid-run", sections);
    }

    /// <summary>MB/s per interval (plotted at the interval's middle) with the pull, restore and failovers marked.</summary>
    public static string Chart(FailoverRow row)
    {
        var marks = new List<TimeSeriesChart.Mark>
        {
            new(row.PullSeconds, "pull", PullColor),
            new(row.RestoreSeconds, "restore", RestoreColor),
        };
        foreach (var failover in row.Failovers.Where(f => f.AtSeconds >= 0))
        {
            marks.Add(new TimeSeriesChart.Mark(failover.AtSeconds + (failover.DurationMs / 1000), "failover", FailoverColor));
        }

        return TimeSeriesChart.Throughput(row.Policy, row.Series, row.SampleIntervalSeconds, marks);
    }
}
