using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Lab.Reporting;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>The 512 vs 4K table on fixed inputs: the seed's columns plus CI, p and verdict.</summary>
public sealed class SectorSizeTableTests
{
    private static SectorComparison Comparison()
    {
        var report = FakeReports.Report(2,
        [
            FakeReports.Test("Read Seq 4MB", PrimaryMetric.MegabytesPerSecond, [[400, 402, 404], [390, 392, 394]]),
            FakeReports.Test("Read 4K", PrimaryMetric.Iops, [[3000, 3100, 2900], [3000, 3200, 2800]]),
        ], repeat: 3);
        return new SectorComparison("512", "4K", "512-vs-4k.json", "512-vs-4k.html", ReportComparer.Compare(report, report, 0, 1));
    }

    [Fact]
    public void Table_HasTheSeedsColumns_NamedAfterTheLuns()
    {
        var table = SectorSizeTable.Build(Comparison());

        Assert.Equal(["Test", "Unit", "512", "4K", "4K Diff", "4K Diff %", "95% CI of diff", "p (Welch)", "Verdict"], table.Columns);
        Assert.Equal("512 vs 4K", table.Title);
    }

    [Fact]
    public void ARealDifference_IsSignificant_WithItsIntervalExcludingZero()
    {
        var row = SectorSizeTable.Build(Comparison()).Rows[0];

        Assert.Equal(["Read Seq 4MB", "MB/s", "402.00", "392.00", "-10.00", "-2.49"], row.Take(6));
        Assert.Matches(@"^\[-\d+\.\d\d, -\d+\.\d\d\]$", row[6]);
        Assert.Equal("significant", row[8]);
    }

    [Fact]
    public void NoDifference_IsNotSignificant_AndIopsAreWholeNumbers()
    {
        var row = SectorSizeTable.Build(Comparison()).Rows[1];

        Assert.Equal(["Read 4K", "IOPS", "3000", "3000", "0", "0.00"], row.Take(6));
        Assert.Equal("1.0000", row[7]);
        Assert.Equal("not significant", row[8]);
    }

    [Fact]
    public void Render_WritesEveryRowAndTheNote()
    {
        var capture = new ConsoleCapture();

        SectorSizeTable.Build(Comparison()).Render(capture.Console);

        Assert.Contains("Read Seq 4MB", capture.Text, StringComparison.Ordinal);
        Assert.Contains("Read 4K", capture.Text, StringComparison.Ordinal);
        Assert.Contains("Diff = 4K - 512; 3 run(s) per LUN", capture.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Page_LinksTheBenchsOwnReports()
    {
        var html = SectorSizePage.Html(new SectorSizeReport(FakeReports.Header("sector-size"), [Comparison()]));

        Assert.Contains("href='512-vs-4k.json'", html, StringComparison.Ordinal);
        Assert.Contains("href='512-vs-4k.html'", html, StringComparison.Ordinal);
        Assert.Contains("<td class='t'>Read Seq 4MB</td>", html, StringComparison.Ordinal);
    }
}
