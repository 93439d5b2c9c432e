using Spectre.Console;
using Storlane.Lab.Reporting;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>
/// <c>storlane lab failover</c>: the seed's advice "build a test VM and yank a cable out", measured.
/// Per policy, a verified workload runs over two 1:1 paths; server nic0's cable is pulled and later
/// put back; the report gives the failover time, the I/O errors the application saw (the goal is 0),
/// the throughput dip and a 100 ms time series with the pull and restore marked.
/// </summary>
public sealed class FailoverExperiment(LabRunOptions options, IAnsiConsole console)
{
    public const string Name = "failover";

    public const long DefaultRate = LabRate.OneGigabit;

    public const double SampleIntervalMs = 100;

    /// <summary>The NIC whose cable is pulled: the first, which failover-only prefers, so every policy must move.</summary>
    public const int PulledNic = 0;

    public static readonly IReadOnlyList<string> Policies = ["failover-only", "round-robin", "least-queue-depth"];

    private static readonly LabPathChoice[] OneToOne = [new(0, 0), new(1, 1)];

    /// <summary>
    /// Run length, pull and restore (seconds into the run). Both kinds of link fail the pulled
    /// NIC's connections at once (as an OS acting on media disconnect does), so the cable stays out
    /// long enough to see the survivor carry the load, and goes back early enough to see the path
    /// re-admitted (two good probes a second apart) before the run ends.
    /// </summary>
    public static (double Duration, double Pull, double Restore) Schedule(bool isShort) => isShort ? (8, 2, 5) : (20, 5, 12);

    public async Task<LabRun<FailoverReport>> RunAsync(CancellationToken cancellationToken)
    {
        var output = LabOutput.Prepare(options.OutputDirectory);
        var rate = options.RateOr(DefaultRate);
        console.MarkupLine($"[bold]storlane lab {Name}[/]: verified I/O over two 1:1 paths while nic{PulledNic}'s cable is pulled and restored, per policy; results in {Markup.Escape(output)}");
        await using var topology = await LabTopologyFactory.CreateAsync(new LabTopologySpec("failover", 2, 2, Meshed: false, rate), options.Links, cancellationToken);
        console.MarkupLine("links: " + Markup.Escape(topology.Description));
        var (duration, pull, restore) = Schedule(options.Short);
        console.MarkupLine($"each run: {duration:0} s, the cable pulled at {pull:0.#} s and restored at {restore:0.#} s");
        var suite = await LabSuites.WriteAsync(output, "failover-suite.yaml", LabSuites.Failover(duration), cancellationToken);
        var config = await LabTargetConfig.WriteAsync(output, topology.PortalAddresses, [new LabLun(0, 512, 512)], cancellationToken);
        await using var target = await topology.StartTargetAsync(config, cancellationToken);
        await ServerBench.WarmUpAsync(topology, BenchTargetSpec.Multipath(topology, "round-robin", OneToOne, 0), 1, output, console, cancellationToken);

        // --repeat runs every policy again, interleaved; by default each policy runs once.
        var repeat = options.Repeat ?? 1;
        var rows = new List<FailoverRow>();
        foreach (var (policy, run) in Enumerable.Range(1, repeat).SelectMany(run => Policies.Select(policy => (policy, run))))
        {
            var file = "failover-" + policy + (repeat > 1 ? "-" + run.ToString(System.Globalization.CultureInfo.InvariantCulture) : "") + ".json";
            var invocation = new BenchInvocation
            {
                Targets = [BenchTargetSpec.Multipath(topology, policy, OneToOne, 0)],
                Suite = suite,
                Tests = 1,
                DurationSeconds = duration,
                JsonPath = Path.Combine(output, file),
                SampleIntervalMs = SampleIntervalMs,
            };
            var cable = new CablePull(topology, PulledNic, run: 1, TimeSpan.FromSeconds(pull), TimeSpan.FromSeconds(restore));
            console.MarkupLine($"{Markup.Escape(policy)}: {duration:0} s of verified I/O, the cable pulled and restored");
            var report = await ServerBench.RunAsync(topology, invocation, console, cable.RunAsync, cancellationToken);
            var row = FailoverAnalysis.Analyze(report, policy, PulledNic, cable.PulledAtSeconds, cable.RestoredAtSeconds, file, PathLabels.For(topology.Paths)) with { Run = run };
            rows.Add(row);
            console.MarkupLine($"    {row.Failovers.Count} failover(s), longest {Cells.Number(row.FailoverMs, "0.0")} ms; {row.IoErrors} application I/O error(s), {row.VerifyErrors} verify error(s)");
        }

        var result = new FailoverReport(LabHeaders.Create(Name, topology, options, rate, repeat, duration), rows);
        FailoverTable.Build(result).Render(console);
        var html = await LabReportFiles.WriteAsync(output, result, FailoverPage.Html(result), cancellationToken);
        console.MarkupLine("Report: " + Markup.Escape(html));
        return new LabRun<FailoverReport>(result, output, html, Path.Combine(output, LabReportFiles.JsonName));
    }
}
