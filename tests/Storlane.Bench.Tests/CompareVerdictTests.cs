using System.Text.Json.Nodes;
using Spectre.Console;
using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;
using Storlane.Bench.Statistics;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;
using Storlane.Bench.Workload;

namespace Storlane.Bench.Tests;

/// <summary>
/// <c>bench compare</c> judges a suite's rows together (Holm), says which side is faster and by how
/// much, says when too few runs cannot be significant, fits a 100-column terminal, and writes the
/// same verdicts to JSON and HTML.
/// </summary>
public sealed class CompareVerdictTests
{
    private static readonly double[] Baseline = [3001.6, 2987.2, 3015.9, 2995.4, 3008.8];
    private static readonly double[] SameAgain = [2999.1, 3010.3, 2990.7, 3004.2, 2996.5];

    [Fact]
    public void Holm_AdjustsStepDown_KeepsOrder_AndSkipsNaN()
    {
        var adjusted = HolmCorrection.Adjust([0.01, 0.04, double.NaN, 0.03, 0.005]);

        // Sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> kept at 0.06.
        Assert.Equal(0.03, adjusted[0], 12);
        Assert.Equal(0.06, adjusted[1], 12);
        Assert.True(double.IsNaN(adjusted[2]));
        Assert.Equal(0.06, adjusted[3], 12);
        Assert.Equal(0.02, adjusted[4], 12);
    }

    [Theory]
    [InlineData(3, 3, 0.1)]
    [InlineData(4, 4, 2.0 / 70)]
    [InlineData(5, 5, 2.0 / 252)]
    [InlineData(2, 3, 0.2)]
    public void MannWhitney_SmallestAttainableP_IsTwoOverTheArrangements(int n1, int n2, double expected)
    {
        Assert.Equal(expected, MannWhitneyTest.MinimumPValue(n1, n2), 12);
        double[] low = [.. Enumerable.Range(1, n1).Select(i => (double)i)];
        double[] high = [.. Enumerable.Range(100, n2).Select(i => (double)i)];
        Assert.Equal(expected, MannWhitneyTest.Compute(low, high).PValue, 12); // completely separated samples reach it
    }

    [Fact]
    public void ThreeRunsPerSide_RankTest_CannotBeSignificant_AndSaysSo()
    {
        var result = Comparison.Compare([1.0, 1.1, 1.05], [2.0, 2.1, 2.05], rankBased: true);

        Assert.Equal(Verdict.CannotBeSignificant, result.Verdict);
        Assert.Equal(0.1, result.MinimumPValue, 12);
        Assert.Equal("cannot be significant at n=3 (p ≥ 0.100 whatever the data)", CompareVerdict.Describe(result, false, 3, 3, 1, 0.05));
    }

    [Fact]
    public void TenRows_OneSmallEffect_RawPBelowAlpha_IsNotSignificantAfterHolm()
    {
        // Row 0 differs by 0.7%: alone p is about 0.02; among ten rows Holm multiplies it by ten.
        var b = Report(10, row => row == 0 ? [.. Baseline.Select(v => v * 1.007)] : SameAgain);
        var rows = ReportComparer.Compare(Report(10, _ => Baseline), b);

        var first = rows[0].Primary;
        Assert.True(first.PValue is > 0.0001 and < 0.05, $"p {first.PValue}");
        Assert.True(first.AdjustedPValue >= 0.05, $"adjusted {first.AdjustedPValue}");
        Assert.Equal(Verdict.NotSignificant, first.Verdict);
        Assert.Equal(10, rows[0].Family);
    }

    [Fact]
    public void Verdict_SaysWhichSideIsFaster_AndByHowMuch()
    {
        var rows = ReportComparer.Compare(Report(1, _ => Baseline), Report(1, _ => [.. Baseline.Select(v => v * 0.8)]));

        var row = Assert.Single(rows);
        Assert.Equal("B 20.0% slower", CompareVerdict.Describe(row.Primary, CompareVerdict.HigherIsFaster(row.Metric), 5, 5, 1, 0.05));
        Assert.Equal("B slower", CompareVerdict.Direction(row.Primary, higherIsFaster: true));

        // Latency of B is 25% higher: slower too (less is faster for latency).
        Assert.Equal("B 25.0% slower", CompareVerdict.Describe(row.Latency, higherIsFaster: false, 5, 5, 1, 0.05));
    }

    [Fact]
    public void Console_AtOneHundredColumns_NoLineIsWider_AndNumbersAreWhole()
    {
        var rows = ReportComparer.Compare(Report(10, _ => Baseline), Report(10, row => row == 3 ? [.. Baseline.Select(v => v * 1.25)] : SameAgain));
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = 100;

        CompareTable.Render(console, rows, "iscsi://127.0.0.1:3260/iqn.2026-11.io.storlane:default/0", "iscsi://127.0.0.1:3260/iqn.2026-11.io.storlane:default/1", 0.05);

        var text = writer.ToString();
        Assert.All(text.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 100, $"{line.TrimEnd().Length} columns: {line}"));
        Assert.True(text.Contains(" 3002 ", StringComparison.Ordinal), text); // A's mean, 3001.78 IOPS, in one piece
        Assert.True(text.Contains("B 25.0% faster", StringComparison.Ordinal), text);
        Assert.Contains("p Holm", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_And_Html_CarryTheVerdicts()
    {
        var rows = ReportComparer.Compare(Report(2, _ => Baseline), Report(2, row => row == 0 ? [.. Baseline.Select(v => v * 1.25)] : SameAgain));
        var report = CompareReport.From(rows, "A-spec", "B-spec", 0.05);

        var json = JsonNode.Parse(report.ToJson())!;
        Assert.Equal("storlane-bench-compare/1", json["schema"]!.GetValue<string>());
        Assert.Equal("holm", json["correction"]!.GetValue<string>());
        var figure = json["rows"]![0]!["figure"]!;
        Assert.Equal("significant", figure["verdict"]!.GetValue<string>());
        Assert.Equal("B faster", figure["direction"]!.GetValue<string>());
        Assert.Equal("B 25.0% faster", figure["summary"]!.GetValue<string>());
        Assert.True(figure["pHolm"]!.GetValue<double>() >= figure["p"]!.GetValue<double>());
        Assert.Equal("none", json["rows"]![1]!["figure"]!["direction"]!.GetValue<string>());
        var html = report.ToHtml();
        Assert.Contains("<td class='significant'>B 25.0% faster</td>", html, StringComparison.Ordinal);
        Assert.Contains("p Holm", html, StringComparison.Ordinal);
    }

    private static BenchReport Report(int tests, Func<int, double[]> iops) => new()
    {
        StorlaneVersion = "test",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        Machine = MachineInfo.Current(),
        Suite = "anvil",
        Repeat = 5,
        Order = "single",
        Targets = [new BenchTargetInfo { Spec = "memory:1GiB", Kind = "memory", LogicalBlockSize = 512, PhysicalBlockSize = 512, BlockCount = 1 << 21 }],
        Tests = [.. Enumerable.Range(0, tests).Select(t => new TestReport
        {
            Name = t == 0 ? "Read 4K" : $"Write 4K QD{t}",
            Metric = PrimaryMetric.Iops,
            Workload = WorkloadSpec.Simple(4096, 100, 100),
            Results = [new TargetRuns { Target = 0, Runs = [.. iops(t).Select(v => new TestMeasurement { Iops = v, MeanLatencyMs = 1000 / v })] }],
        })],
    };
}
