namespace Storlane.Lab.Reporting;

/// <summary>The HTML report of <c>storlane lab sector-size</c>: the tables, and links to the bench's own reports with per-test charts.</summary>
public static class SectorSizePage
{
    public static string Html(SectorSizeReport report)
    {
        var sections = new List<string>();
        foreach (var comparison in report.Comparisons)
        {
            sections.Add(SectorSizeTable.Build(comparison).Html());
            var links = LabHtml.Link(comparison.BenchJson, "bench result (JSON)");
            if (comparison.BenchHtml is not null)
            {
                links += " · " + LabHtml.Link(comparison.BenchHtml, "bench report with charts per test");
            }

            sections.Add(LabHtml.ParagraphHtml(links));
        }

        return LabHtml.Page(report.Header, "storlane lab sector-size: 512n vs 4Kn vs 512e", sections);
    }
}
