namespace Storlane.Lab.Reporting;

/// <summary>The demo's HTML report: 512 vs 4K, the pulled cable with the pulled run's throughput, and a link to the bench's full report.</summary>
public static class DemoPage
{
    public static string Html(DemoReport report, string benchHtml)
    {
        var pull = report.Pull;
        var marks = new List<TimeSeriesChart.Mark> { new(pull.PullSeconds, "pull", FailoverPage.PullColor) };
        if (pull.Series.Count > 0 && pull.RestoreSeconds <= pull.Series[^1].StartSeconds + pull.SampleIntervalSeconds)
        {
            marks.Add(new TimeSeriesChart.Mark(pull.RestoreSeconds, "restore", FailoverPage.RestoreColor));
        }

        string[] sections =
        [
            SectorSizeTable.Build(report.Comparison).Html(),
            DemoTables.Pull(report).Html(),
            LabHtml.Figure(TimeSeriesChart.Throughput($"'{pull.Test}' on the {pull.Lun} LUN", pull.Series, pull.SampleIntervalSeconds, marks)),
            LabHtml.ParagraphHtml(LabHtml.Link(benchHtml, "the bench's report: charts per test (bars, latency CDFs, time series)") + " · " + LabHtml.Link(report.Comparison.BenchJson, "bench result (JSON)")),
        ];
        return LabHtml.Page(report.Header, "storlane demo: 512 vs 4K over two paths, one cable pulled", sections);
    }
}
