using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>
/// Names the bench's paths the way the lab wired them: the bench names a path by its portal
/// (host:port), which in a pathing topology is one path, "nic0->port0". A portal several paths
/// share (a mesh) keeps its own name.
/// </summary>
public static class PathLabels
{
    public static Func<string, string> For(IReadOnlyList<LabPath> paths)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var shared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var portal = path.TargetHost + ":" + path.TargetPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!labels.TryAdd(portal, path.Label))
            {
                shared.Add(portal);
            }
        }

        return name => labels.TryGetValue(name, out var label) && !shared.Contains(name) ? label : name;
    }
}
