using Storlane.Bench.Reporting;

namespace Storlane.Lab.Reporting;

/// <summary>The HTML report of <c>storlane lab mpio</c>: the table, a bar chart per test (mean ± sd, a dot per run), the paths of each configuration.</summary>
public static class MpioPage
{
    public static string Html(MpioReport report)
    {
        var sections = new List<string> { MpioTable.Build(report).Html() };
        sections.Add(LabHtml.Figure(SvgChart.Bars("Seq 4MB read, MB/s", "MB/s", [.. report.Rows.Select(r => (r.Id, r.SeqRead.Values.ToArray()))])));
        sections.Add(LabHtml.Figure(SvgChart.Bars("Seq 4MB write, MB/s", "MB/s", [.. report.Rows.Select(r => (r.Id, r.SeqWrite.Values.ToArray()))])));
        sections.Add(LabHtml.Figure(SvgChart.Bars("4K QD16 read, IOPS", "IOPS", [.. report.Rows.Select(r => (r.Id, r.RandomRead.Values.ToArray()))])));
        sections.Add("<h2>Configurations</h2><ul>");
        foreach (var row in report.Rows)
        {
            sections.Add("<li><b>" + LabHtml.Encode(row.Id) + "</b> " + LabHtml.Encode($"{row.Description} ({row.Topology}, {row.Policy ?? "single path"}): {string.Join(", ", row.Paths)}") + " · " + LabHtml.Link(row.BenchJson, "bench result") + "</li>");
        }

        sections.Add("</ul>");
        return LabHtml.Page(report.Header, "storlane lab mpio: the seed's MPIO tests", sections);
    }
}
