using Storlane.Bench.Suites;
using Storlane.Lab.Experiments;
using Storlane.Lab.Reporting;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>The MPIO table on fixed inputs: deviance against D, the seed's ordering, the cells.</summary>
public sealed class MpioReportTests
{
    private static MpioRowBuilder.Measured Config(string id, double read, double write, double iops, int standby = 0) =>
        new(id, id + " config", "pathing 2x2", id == "D" ? null : "round-robin", ["nic0->port0", "nic1->port1"], standby,
            FakeReports.Single(
                (LabSuites.SeqRead, PrimaryMetric.MegabytesPerSecond, [read - 1, read + 1]),
                (LabSuites.SeqWrite, PrimaryMetric.MegabytesPerSecond, [write, write]),
                (LabSuites.RandomQd16, PrimaryMetric.Iops, [iops, iops])),
            "mpio-" + id.ToLowerInvariant() + ".json");

    private static IReadOnlyList<MpioRow> Rows() => MpioRowBuilder.Build(
        [Config("D", 100, 80, 20000), Config("C", 200, 100, 30000), Config("B", 10, 4, 10000, standby: 1)],
        LabSuites.SeqRead, LabSuites.SeqWrite, LabSuites.RandomQd16);

    [Fact]
    public void Rows_AreSortedByReadMegabytesPerSecond_BestFirst_AsTheSeedOrdersThem()
    {
        Assert.Equal(["C", "D", "B"], Rows().Select(r => r.Id));
    }

    [Fact]
    public void ControlDeviance_IsThePercentChangeAgainstD_AndZeroForDItself()
    {
        var rows = Rows().ToDictionary(r => r.Id);

        Assert.Equal(100, rows["C"].SeqRead.ControlDeviancePercent, 6);
        Assert.Equal(25, rows["C"].SeqWrite.ControlDeviancePercent, 6);
        Assert.Equal(50, rows["C"].RandomRead.ControlDeviancePercent, 6);
        Assert.Equal(-90, rows["B"].SeqRead.ControlDeviancePercent, 6);
        Assert.Equal(-95, rows["B"].SeqWrite.ControlDeviancePercent, 6);
        Assert.Equal(0, rows["D"].SeqRead.ControlDeviancePercent);
        Assert.True(double.IsNaN(rows["D"].SeqRead.PValueVersusControl));
        Assert.True(rows["C"].SeqRead.PValueVersusControl < 0.05);
    }

    [Fact]
    public void Figures_HoldMeanStandardDeviationAndEveryRun()
    {
        var c = Rows().Single(r => r.Id == "C").SeqRead;

        Assert.Equal(200, c.Mean, 6);
        Assert.Equal(Math.Sqrt(2), c.StandardDeviation, 6);
        Assert.Equal([199.0, 201.0], c.Values);
        Assert.Equal(2, c.Runs);
    }

    [Fact]
    public void WithoutTheControl_DevianceIsNotAvailable()
    {
        var rows = MpioRowBuilder.Build([Config("C", 200, 100, 30000)], LabSuites.SeqRead, LabSuites.SeqWrite, LabSuites.RandomQd16);

        Assert.True(double.IsNaN(rows[0].SeqRead.ControlDeviancePercent));
    }

    [Fact]
    public void Table_HasTheSeedsColumns_AndOneRowPerConfiguration()
    {
        var report = new MpioReport(FakeReports.Header("mpio"), 119.6, Rows());
        var table = MpioTable.Build(report);

        Assert.Equal(["Test", "Configuration", "Policy", "Active/standby", "Read MB/s", "Read ms", "Read dev. %", "Write MB/s", "Write ms", "Write dev. %", "4K QD16 IOPS", "IOPS dev. %"], table.Columns);
        Assert.Equal(["C", "C config", "round-robin", "2", "200.0 ± 1.4", "1.0", "+100.0", "100.0 ± 0.0", "1.0", "+25.0", "30000", "+50.0"], table.Rows[0]);
        Assert.Equal(["D", "D config", "single path", "2", "100.0 ± 1.4", "1.0", "0.0", "80.0 ± 0.0", "1.0", "0.0", "20000", "0.0"], table.Rows[1]);
        Assert.Equal("1/1", table.Rows[2][3]);
        Assert.Contains(table.Notes, n => n.Contains("119.6 MB/s", StringComparison.Ordinal));
    }

    [Fact]
    public void Page_IsOneHtmlFile_WithTheTableAndABarChartPerTest()
    {
        var html = MpioPage.Html(new MpioReport(FakeReports.Header("mpio"), 119.6, Rows()));

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(3, CountOf(html, "<svg"));
        Assert.Contains("network namespaces, tc tbf 1 Gbit/s per link (namespaces)", html, StringComparison.Ordinal);
        Assert.Contains("href='mpio-c.json'", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Configurations_CoverTheSeedsTestsAndTheTwoItDidNotRun()
    {
        var ids = MpioConfigurations.All.Select(c => c.Id).ToList();

        Assert.Equal(["D", "C", "G", "FO", "W", "B", "E", "F"], ids);
        var b = MpioConfigurations.All.Single(c => c.Id == "B");
        Assert.Equal(8, b.Paths.Count);
        Assert.True(b.Meshed);
        var f = MpioConfigurations.All.Single(c => c.Id == "F");
        Assert.Equal(4, f.StandbyPaths);
        Assert.Equal([0, 1, 2, 3], f.Paths.Where(p => !p.Standby).Select(p => p.ServerNic));
        Assert.Single(MpioConfigurations.All.Single(c => c.Id == "D").Paths);
    }

    internal static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
