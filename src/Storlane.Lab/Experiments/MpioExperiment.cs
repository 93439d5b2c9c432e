using Spectre.Console;
using Storlane.Lab.Reporting;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>
/// <c>storlane lab mpio</c>: the seed's MPIO tests (<see cref="MpioConfigurations"/>). The 1:1
/// configurations share one pathing topology (2 NICs, 2 ports, a subnet per pair) and the mesh
/// configurations one meshed topology (4 NICs, 2 ports, one switch); each configuration is one
/// bench run of sequential 4 MB read and write and 4K QD16, compared with the control D.
/// </summary>
public sealed class MpioExperiment(LabRunOptions options, IAnsiConsole console)
{
    public const string Name = "mpio";

    /// <summary>The seed's NICs were 1 GbE.</summary>
    public const long DefaultRate = LabRate.OneGigabit;

    public async Task<LabRun<MpioReport>> RunAsync(CancellationToken cancellationToken)
    {
        var output = LabOutput.Prepare(options.OutputDirectory);
        var rate = options.RateOr(DefaultRate);
        var repeat = options.RepeatOrDefault;
        var duration = options.DurationOrDefault;
        var suite = await LabSuites.WriteAsync(output, "mpio-suite.yaml", LabSuites.Mpio(duration, options.Short ? 0.2 : 1), cancellationToken);
        var configurations = MpioConfigurations.All;
        console.MarkupLine($"[bold]storlane lab {Name}[/]: {configurations.Count} configurations x 3 tests, {repeat} run(s) of {duration:0.###} s; results in {Markup.Escape(output)}");

        var measured = new List<MpioRowBuilder.Measured>();
        var descriptions = new List<string>();
        var mode = LabLinkMode.InProcess;
        foreach (var meshed in new[] { false, true })
        {
            var group = configurations.Where(c => c.Meshed == meshed).ToList();
            var spec = meshed ? new LabTopologySpec("mpio-mesh", 4, 2, Meshed: true, rate) : new LabTopologySpec("mpio-path", 2, 2, Meshed: false, rate);
            await using var topology = await LabTopologyFactory.CreateAsync(spec, options.Links, cancellationToken);
            descriptions.Add(topology.Description);
            mode = topology.Mode;
            console.MarkupLine($"{(meshed ? "mesh 4x2" : "pathing 2x2")} links: " + Markup.Escape(topology.Description));
            var config = await LabTargetConfig.WriteAsync(output, topology.PortalAddresses, [new LabLun(0, 512, 512)], cancellationToken);
            await using var target = await topology.StartTargetAsync(config, cancellationToken);
            await ServerBench.WarmUpAsync(topology, BenchTargetSpec.Multipath(topology, "round-robin", BenchTargetSpec.All(topology), 0), 1, output, console, cancellationToken);
            foreach (var configuration in group)
            {
                var file = "mpio-" + configuration.Id.ToLowerInvariant() + ".json";
                var invocation = new BenchInvocation
                {
                    Targets = [Target(topology, configuration)],
                    Suite = suite,
                    Tests = 3,
                    Repeat = repeat,
                    DurationSeconds = duration,
                    JsonPath = Path.Combine(output, file),
                };
                console.MarkupLine($"{Markup.Escape(configuration.Id)}: {Markup.Escape(configuration.Description)}");
                var report = await ServerBench.RunAsync(topology, invocation, console, null, cancellationToken);
                measured.Add(new MpioRowBuilder.Measured(
                    configuration.Id, configuration.Description, configuration.Topology, configuration.Policy,
                    [.. configuration.Paths.Select(p => p.ToString())], configuration.StandbyPaths, report, file));
            }
        }

        var header = LabHeaders.Create(Name, mode, descriptions, options, rate, repeat, duration);
        var result = new MpioReport(header, LabRate.PayloadMegabytesPerSecond(rate), MpioRowBuilder.Build(measured, LabSuites.SeqRead, LabSuites.SeqWrite, LabSuites.RandomQd16));
        MpioTable.Build(result).Render(console);
        var html = await LabReportFiles.WriteAsync(output, result, MpioPage.Html(result), cancellationToken);
        console.MarkupLine("Report: " + Markup.Escape(html));
        return new LabRun<MpioReport>(result, output, html, Path.Combine(output, LabReportFiles.JsonName));
    }

    private static string Target(ILabTopology topology, MpioConfiguration configuration) =>
        configuration.Policy is null
            ? BenchTargetSpec.Single(topology, configuration.Paths[0], 0)
            : BenchTargetSpec.Multipath(topology, configuration.Policy, configuration.Paths, 0);
}
