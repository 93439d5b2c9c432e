using Storlane.Bench.Reporting;
using Storlane.Lab.Reporting;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>Fills the report header every experiment writes: the links it really used (which may differ from the ones asked for), and how it ran.</summary>
internal static class LabHeaders
{
    public static LabReportHeader Create(string experiment, ILabTopology topology, LabRunOptions options, long rate, int repeat, double durationSeconds) =>
        Create(experiment, topology.Mode, [topology.Description], options, rate, repeat, durationSeconds);

    public static LabReportHeader Create(string experiment, LabLinkMode mode, IReadOnlyList<string> descriptions, LabRunOptions options, long rate, int repeat, double durationSeconds)
    {
        return new LabReportHeader
        {
            Experiment = experiment,
            LinkMode = ModeName(mode),
            LinkDescription = string.Join("; ", descriptions.Distinct()),
            LinkBitsPerSecond = rate,
            Short = options.Short,
            Repeat = repeat,
            DurationSeconds = durationSeconds,
            CommandLine = options.CommandLine,
            CreatedUtc = DateTimeOffset.UtcNow,
            StorlaneVersion = MachineInfo.StorlaneVersion(),
            Machine = MachineInfo.Current(),
        };
    }

    public static string ModeName(LabLinkMode mode) => mode == LabLinkMode.Namespaces ? "namespaces" : "in-process";
}
