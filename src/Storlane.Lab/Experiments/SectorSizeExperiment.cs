using Spectre.Console;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Lab.Reporting;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>
/// <c>storlane lab sector-size</c>: the seed's first experiment. Three RAM LUNs identical but for
/// their sectors (512n, 4Kn, 512e) behind the seed's host model (two links, round robin), the Anvil
/// rows on 512n against 4Kn and against 512e with runs interleaved A B B A, and per row the seed's
/// diff with its confidence interval, p and verdict.
/// </summary>
public sealed class SectorSizeExperiment(LabRunOptions options, IAnsiConsole console)
{
    public const string Name = "sector-size";

    /// <summary>The seed ran this on 2 x 10 Gbit/s.</summary>
    public const long DefaultRate = LabRate.TenGigabit;

    public static readonly IReadOnlyList<LabLun> Luns = [new(0, 512, 512), new(1, 4096, 4096), new(2, 512, 4096)];

    /// <summary>Takes the warm-up's I/O, so the three measured LUNs have the same history.</summary>
    public static readonly LabLun WarmUpLun = new(3, 512, 512);

    private static readonly LabPathChoice[] HostPaths = [new(0, 0), new(1, 1)];

    public async Task<LabRun<SectorSizeReport>> RunAsync(CancellationToken cancellationToken)
    {
        var output = LabOutput.Prepare(options.OutputDirectory);
        var rate = options.RateOr(DefaultRate);
        var repeat = options.RepeatOrDefault;
        var duration = options.DurationOrDefault;
        var warmUp = options.Short ? 0 : 1;
        console.MarkupLine($"[bold]storlane lab {Name}[/]: 512n vs 4Kn vs 512e RAM LUNs, Anvil rows, {repeat} run(s) of {duration:0.###} s per LUN and row; results in {Markup.Escape(output)}");
        await using var topology = await LabTopologyFactory.CreateAsync(new LabTopologySpec("sector", 2, 2, Meshed: false, rate), options.Links, cancellationToken);
        console.MarkupLine("links: " + Markup.Escape(topology.Description));
        var config = await LabTargetConfig.WriteAsync(output, topology.PortalAddresses, [.. Luns, WarmUpLun], cancellationToken);
        await using var target = await topology.StartTargetAsync(config, cancellationToken);
        await ServerBench.WarmUpAsync(topology, Target(topology, WarmUpLun.Lun), 1, output, console, cancellationToken);

        var comparisons = new List<SectorComparison>();
        foreach (var other in Luns.Skip(1))
        {
            var label = other.Format == "4Kn" ? "4K" : other.Format;
            var file = "512-vs-" + label.ToLowerInvariant();
            var invocation = new BenchInvocation
            {
                Targets = [Target(topology, 0), Target(topology, other.Lun)],
                Suite = AnvilSuite.Name,
                Tests = AnvilSuite.Create(duration).Tests.Count,
                Repeat = repeat,
                DurationSeconds = duration,
                WarmUpSeconds = warmUp,
                JsonPath = Path.Combine(output, file + ".json"),
                HtmlPath = Path.Combine(output, file + ".html"),
            };
            console.MarkupLine($"512 (A) vs {Markup.Escape(label)} (B): storlane bench, about {invocation.ExpectedDuration.TotalSeconds:0} s");
            var report = await ServerBench.RunAsync(topology, invocation, console, null, cancellationToken);
            comparisons.Add(new SectorComparison("512", label, file + ".json", file + ".html", ReportComparer.Compare(report, report, 0, 1)));
        }

        var result = new SectorSizeReport(LabHeaders.Create(Name, topology, options, rate, repeat, duration), comparisons);
        foreach (var comparison in result.Comparisons)
        {
            SectorSizeTable.Build(comparison).Render(console);
        }

        var html = await LabReportFiles.WriteAsync(output, result, SectorSizePage.Html(result), cancellationToken);
        console.MarkupLine("Report: " + Markup.Escape(html));
        return new LabRun<SectorSizeReport>(result, output, html, Path.Combine(output, LabReportFiles.JsonName));
    }

    /// <summary>A LUN over both host links, round robin: the seed's "iSCSI MPIO enabled in Round Robin mode".</summary>
    private static string Target(ILabTopology topology, int lun) => BenchTargetSpec.Multipath(topology, "round-robin", HostPaths, lun);
}
