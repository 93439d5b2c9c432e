using Spectre.Console;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Lab.Reporting;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>
/// <c>storlane demo</c>: the lab in about a minute, without root. A target with a 512-byte and a
/// 4096-byte RAM LUN, both reached over two paths (round robin), the Anvil rows briefly on each
/// (runs interleaved), one cable pulled during "Write Seq 4MB" and put back; then 512 vs 4K with
/// verdicts, what the pull did, and the path to the HTML report.
/// </summary>
public sealed class DemoExperiment(LabRunOptions options, IAnsiConsole console)
{
    public const string Name = "demo";

    public const double SampleIntervalMs = 100;

    /// <summary>The cable of server nic1 (the second path) is pulled.</summary>
    public const int PulledNic = 1;

    private static readonly LabLun[] Luns = [new(0, 512, 512), new(1, 4096, 4096)];

    /// <summary>Takes the warm-up's I/O, so the two measured LUNs have the same history.</summary>
    private static readonly LabLun WarmUpLun = new(2, 512, 512);
    private static readonly LabPathChoice[] TwoPaths = [new(0, 0), new(1, 1)];

    public async Task<LabRun<DemoReport>> RunAsync(CancellationToken cancellationToken)
    {
        var output = LabOutput.Prepare(options.OutputDirectory);
        var rate = options.RateOr(LabRate.OneGigabit);
        var repeat = options.Repeat ?? 2;
        var duration = options.DurationSeconds ?? 1;
        var suite = AnvilSuite.Create(duration);
        console.MarkupLine($"[bold]storlane demo[/]: a target with a 512-byte and a 4096-byte LUN in RAM, two paths, the Anvil rows on both ({repeat} x {duration:0.###} s each), one cable pulled mid-run. Results in {Markup.Escape(output)}");
        await using var topology = await LabTopologyFactory.CreateAsync(new LabTopologySpec("demo", 2, 2, Meshed: false, rate), options.Links, cancellationToken);
        console.MarkupLine("links: " + Markup.Escape(topology.Description));
        var config = await LabTargetConfig.WriteAsync(output, topology.PortalAddresses, [.. Luns, WarmUpLun], cancellationToken);
        await using var target = await topology.StartTargetAsync(config, cancellationToken);
        console.MarkupLine($"target {LabTargetConfig.TargetName} up on {Markup.Escape(string.Join(", ", topology.PortalAddresses))}");
        await ServerBench.WarmUpAsync(topology, BenchTargetSpec.Multipath(topology, "round-robin", TwoPaths, WarmUpLun.Lun), 0.5, output, console, cancellationToken);

        // The pull lands in the first run of "Write Seq 4MB": a sequential stream over both paths.
        var pulledRow = suite.Tests.ToList().FindIndex(t => t.Name == "Write Seq 4MB");
        var pulledRun = (pulledRow * repeat * Luns.Length) + 1;
        var (pullAfter, restoreAfter) = PullSchedule(duration);
        var cable = new CablePull(topology, PulledNic, pulledRun, pullAfter, restoreAfter);
        var invocation = new BenchInvocation
        {
            Targets = [.. Luns.Select(l => BenchTargetSpec.Multipath(topology, "round-robin", TwoPaths, l.Lun))],
            Suite = AnvilSuite.Name,
            Tests = suite.Tests.Count,
            Repeat = repeat,
            DurationSeconds = duration,
            JsonPath = Path.Combine(output, "bench.json"),
            HtmlPath = Path.Combine(output, "bench.html"),
            SampleIntervalMs = SampleIntervalMs,
        };
        console.MarkupLine($"storlane bench: 512 (A) vs 4K (B), about {invocation.ExpectedDuration.TotalSeconds:0} s");
        var report = await ServerBench.RunAsync(topology, invocation, console, cable.RunAsync, cancellationToken);

        var header = LabHeaders.Create(Name, topology, options, rate, repeat, duration);
        var pulledPath = topology.Paths.First(p => p.ServerNic == PulledNic).Label;
        var result = new DemoReport(
            header,
            new SectorComparison("512", "4K", "bench.json", "bench.html", ReportComparer.Compare(report, report, 0, 1)),
            DemoPullAnalysis.Analyze(report, pulledRun, ["512", "4K"], pulledPath, cable.PulledAtSeconds, cable.RestoredAtSeconds, PathLabels.For(topology.Paths)));
        SectorSizeTable.Build(result.Comparison).Render(console);
        DemoTables.Pull(result).Render(console);
        var html = await LabReportFiles.WriteAsync(output, result, DemoPage.Html(result, "bench.html"), cancellationToken);
        console.MarkupLine("[bold]Report:[/] " + Markup.Escape(html));
        return new LabRun<DemoReport>(result, output, html, Path.Combine(output, LabReportFiles.JsonName));
    }

    /// <summary>
    /// The cable goes out 30% into the run and back in at 80%: both kinds of link fail the pulled
    /// NIC's connections at once, so the failover happens within the run.
    /// </summary>
    public static (TimeSpan PullAfter, TimeSpan RestoreAfter) PullSchedule(double runSeconds) =>
        (TimeSpan.FromSeconds(runSeconds * 0.3), TimeSpan.FromSeconds(runSeconds * 0.8));
}
