using Spectre.Console;
using Storlane.Bench.Reporting;
using Storlane.Bench.Statistics;
using Storlane.Lab.Reporting;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>
/// <c>storlane demo</c>: the lab in about a minute, without root, showing three things that are
/// true: a difference the statistics can find (one rate-limited path against two, round robin),
/// one they honestly cannot (a 512-byte against a 4096-byte RAM LUN), and a cable pulled while
/// verified I/O runs (the failover, the application's longest I/O and gap, zero errors). Then the
/// path of the HTML report.
/// </summary>
public sealed class DemoExperiment(LabRunOptions options, IAnsiConsole console)
{
    public const string Name = "demo";

    /// <summary>
    /// Runs per side of each comparison. Many short runs beat few long ones here: the noise on a
    /// shared machine comes and goes between runs, and the smallest difference Welch can see falls
    /// with the square root of the runs (and its critical t with their degrees of freedom).
    /// </summary>
    public const int DefaultRepeat = 5;

    public const double DefaultDurationSeconds = 1;

    public const double SampleIntervalMs = 100;

    /// <summary>The cable of server nic0 (the first path) is pulled.</summary>
    public const int PulledNic = 0;

    /// <summary>The pulled-cable run lasts this many runs' durations (5 s by default): long enough to see the survivor carry the load.</summary>
    public const double FailoverRunLength = 5;

    private static readonly LabLun Lun512 = new(0, 512, 512);
    private static readonly LabLun Lun4K = new(1, 4096, 4096);

    /// <summary>Takes the warm-up's I/O, so the measured LUNs have the same history.</summary>
    private static readonly LabLun WarmUpLun = new(2, 512, 512);
    private static readonly LabPathChoice[] OnePath = [new(0, 0)];
    private static readonly LabPathChoice[] TwoPaths = [new(0, 0), new(1, 1)];

    public async Task<LabRun<DemoReport>> RunAsync(CancellationToken cancellationToken)
    {
        var output = LabOutput.Prepare(options.OutputDirectory);
        var rate = options.RateOr(LabRate.OneGigabit);
        var repeat = options.Repeat ?? DefaultRepeat;
        var duration = options.DurationSeconds ?? DefaultDurationSeconds;
        console.MarkupLine($"[bold]storlane demo[/]: a target with a 512-byte and a 4096-byte LUN in RAM, reached over two rate-limited paths. Results in {Markup.Escape(output)}");
        await using var topology = await LabTopologyFactory.CreateAsync(new LabTopologySpec("demo", 2, 2, Meshed: false, rate), options.Links, cancellationToken);
        console.MarkupLine("links: " + Markup.Escape(topology.Description));
        var config = await LabTargetConfig.WriteAsync(output, topology.PortalAddresses, [Lun512, Lun4K, WarmUpLun], cancellationToken);
        await using var target = await topology.StartTargetAsync(config, cancellationToken);
        console.MarkupLine($"target {LabTargetConfig.TargetName} up on {Markup.Escape(string.Join(", ", topology.PortalAddresses))}");
        await ServerBench.WarmUpAsync(topology, BenchTargetSpec.Multipath(topology, "round-robin", TwoPaths, WarmUpLun.Lun), 0.5, output, console, cancellationToken);

        // Every row is judged at 0.05 / rows (Bonferroni): the chance of any false "faster" stays under 5%.
        var alpha = Comparison.DefaultAlpha / (DemoSuites.PathsRows + DemoSuites.SectorsRows);
        var pathsSuite = await LabSuites.WriteAsync(output, "paths-suite.yaml", DemoSuites.Paths(duration), cancellationToken);
        console.MarkupLine($"1. one path against two (round robin), {DemoSuites.SeqRead} on the 512 LUN, {repeat} x {duration:0.###} s each");
        var paths = await CompareAsync(topology, "paths", pathsSuite, DemoSuites.PathsRows, repeat, duration, BenchTargetSpec.Multipath(topology, "round-robin", OnePath, Lun512.Lun), BenchTargetSpec.Multipath(topology, "round-robin", TwoPaths, Lun512.Lun), cancellationToken);

        var sectorsSuite = await LabSuites.WriteAsync(output, "sectors-suite.yaml", DemoSuites.Sectors(duration), cancellationToken);
        console.MarkupLine($"2. the 512 LUN against the 4K LUN, both over two paths: {DemoSuites.RandomRead} and {DemoSuites.RandomWrite}, {repeat} x {duration:0.###} s each");
        var sectors = await CompareAsync(topology, "sectors", sectorsSuite, DemoSuites.SectorsRows, repeat, duration, BenchTargetSpec.Multipath(topology, "round-robin", TwoPaths, Lun512.Lun), BenchTargetSpec.Multipath(topology, "round-robin", TwoPaths, Lun4K.Lun), cancellationToken);

        var failover = await PullCableAsync(topology, output, duration, cancellationToken);
        List<DemoComparison> comparisons =
        [
            .. Judge(paths, "1 path", "2 paths", "paths", alpha),
            .. Judge(sectors, "512", "4K", "sectors", alpha),
        ];
        var result = new DemoReport(LabHeaders.Create(Name, topology, options, rate, repeat, duration), alpha, comparisons, failover);
        DemoTables.Comparisons(result).Render(console);
        DemoTables.Failover(result).Render(console);
        var html = await LabReportFiles.WriteAsync(output, result, DemoPage.Html(result), cancellationToken);
        console.MarkupLine("[bold]Report:[/] " + Markup.Escape(html));
        return new LabRun<DemoReport>(result, output, html, Path.Combine(output, LabReportFiles.JsonName));
    }

    /// <summary>
    /// The pulled cable's schedule within its run: out a third of the way in, back at two thirds,
    /// so there is load before, during and after.
    /// </summary>
    public static (double RunSeconds, TimeSpan PullAfter, TimeSpan RestoreAfter) PullSchedule(double durationSeconds)
    {
        var run = durationSeconds * FailoverRunLength;
        return (run, TimeSpan.FromSeconds(run / 3), TimeSpan.FromSeconds(run * 2 / 3));
    }

    private static IEnumerable<DemoComparison> Judge(BenchReport report, string labelA, string labelB, string file, double alpha) =>
        ReportComparer.Compare(report, report, 0, 1, alpha).Select(row => new DemoComparison(labelA, labelB, row, DemoVerdict.Describe(row, labelA, labelB), file + ".json", file + ".html"));

    private async Task<BenchReport> CompareAsync(ILabTopology topology, string file, string suite, int tests, int repeat, double duration, string targetA, string targetB, CancellationToken cancellationToken)
    {
        var output = Path.GetDirectoryName(suite)!;
        var invocation = new BenchInvocation
        {
            Targets = [targetA, targetB],
            Suite = suite,
            Tests = tests,
            Repeat = repeat,
            DurationSeconds = duration,
            WarmUpSeconds = DemoSuites.WarmUpSeconds(duration),
            JsonPath = Path.Combine(output, file + ".json"),
            HtmlPath = Path.Combine(output, file + ".html"),
        };
        return await ServerBench.RunAsync(topology, invocation, console, null, cancellationToken);
    }

    private async Task<DemoFailover> PullCableAsync(ILabTopology topology, string output, double duration, CancellationToken cancellationToken)
    {
        var (runSeconds, pullAfter, restoreAfter) = PullSchedule(duration);
        var pulledPath = topology.Paths.First(p => p.ServerNic == PulledNic).Label;
        var workload = $"verified random 64K I/O, half reads, 8 in flight, round robin over 2 paths, {runSeconds:0.###} s";
        console.MarkupLine($"3. {Markup.Escape(workload)}; {Markup.Escape(pulledPath)}'s cable pulled at {pullAfter.TotalSeconds:0.##} s and put back at {restoreAfter.TotalSeconds:0.##} s");
        var suite = await LabSuites.WriteAsync(output, "failover-suite.yaml", LabSuites.Failover(runSeconds), cancellationToken);
        var invocation = new BenchInvocation
        {
            Targets = [BenchTargetSpec.Multipath(topology, "round-robin", TwoPaths, Lun512.Lun)],
            Suite = suite,
            Tests = 1,
            DurationSeconds = runSeconds,
            JsonPath = Path.Combine(output, "failover.json"),
            SampleIntervalMs = SampleIntervalMs,
        };
        var cable = new CablePull(topology, PulledNic, run: 1, pullAfter, restoreAfter);
        var report = await ServerBench.RunAsync(topology, invocation, console, cable.RunAsync, cancellationToken);
        var row = FailoverAnalysis.Analyze(report, "round-robin", PulledNic, cable.PulledAtSeconds, cable.RestoredAtSeconds, "failover.json", PathLabels.For(topology.Paths));
        return DemoFailoverAnalysis.Analyze(report, row, workload, pulledPath);
    }
}
