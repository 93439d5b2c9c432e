using System.Globalization;
using System.Text;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>
/// The <c>--target</c> text <c>storlane bench</c> takes for a LUN of the lab target: one iSCSI URL
/// for a single path, or <c>multipath:POLICY:URL|URL...</c> (docs/bench.md) with <c>~standby</c>
/// and <c>~weight=N</c> on the paths that carry them.
/// </summary>
public static class BenchTargetSpec
{
    public static string Single(ILabTopology topology, LabPathChoice choice, int lun) =>
        Find(topology.Paths, choice).Url(LabTargetConfig.TargetName, lun);

    public static string Multipath(ILabTopology topology, string policy, IReadOnlyList<LabPathChoice> choices, int lun) =>
        Multipath(topology.Paths, policy, choices, lun);

    public static string Multipath(IReadOnlyList<LabPath> paths, string policy, IReadOnlyList<LabPathChoice> choices, int lun)
    {
        ArgumentOutOfRangeException.ThrowIfZero(choices.Count);
        var spec = new StringBuilder("multipath:").Append(policy).Append(':');
        for (var i = 0; i < choices.Count; i++)
        {
            var choice = choices[i];
            spec.Append(i == 0 ? "" : "|").Append(Find(paths, choice).Url(LabTargetConfig.TargetName, lun));
            if (choice.Weight != 0)
            {
                spec.Append(CultureInfo.InvariantCulture, $"~weight={choice.Weight}");
            }

            if (choice.Standby)
            {
                spec.Append("~standby");
            }
        }

        return spec.ToString();
    }

    /// <summary>Every path of the topology, in its order (pathing: NIC i to port i; meshing: every pair).</summary>
    public static IReadOnlyList<LabPathChoice> All(ILabTopology topology) =>
        [.. topology.Paths.Select(p => new LabPathChoice(p.ServerNic, p.StoragePort))];

    private static LabPath Find(IReadOnlyList<LabPath> paths, LabPathChoice choice)
    {
        foreach (var path in paths)
        {
            if (path.ServerNic == choice.ServerNic && path.StoragePort == choice.StoragePort)
            {
                return path;
            }
        }

        throw new InvalidOperationException($"the topology has no path from server NIC {choice.ServerNic} to storage port {choice.StoragePort}");
    }
}
