namespace Storlane.Lab.Reporting;

/// <summary>The demo's HTML report: both tables, the pulled-cable run's throughput over time, and links to the bench's own reports.</summary>
public static class DemoPage
{
    public static string Html(DemoReport report)
    {
        var sections = new List<string>
        {
            DemoTables.Comparisons(report).Html(),
            DemoTables.Failover(report).Html(),
            LabHtml.Figure(FailoverPage.Chart(report.Failover.Run)),
        };
        var links = new List<string>();
        foreach (var file in report.Comparisons.Select(c => (c.Compared, c.BenchJson, c.BenchHtml)).Distinct())
        {
            if (file.BenchHtml is not null)
            {
                links.Add(LabHtml.Link(file.BenchHtml, file.Compared + ": the bench's report (bars, latency CDFs, time series)"));
            }

            links.Add(LabHtml.Link(file.BenchJson, file.Compared + ": bench result (JSON)"));
        }

        links.Add(LabHtml.Link(report.Failover.Run.BenchJson, "the pulled cable: bench result (JSON)"));
        sections.Add(LabHtml.ParagraphHtml(string.Join(" · ", links)));
        return LabHtml.Page(report.Header, "storlane demo: one path against two, 512 against 4K, a cable pulled under load", sections);
    }
}
