using Storlane.Initiator;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>
/// Names the bench's paths the way the lab wired them: the bench names a path by its portal and
/// the source address it leaves from (<see cref="IscsiUrl.PathName"/>, "10.0.0.1:3260 via
/// 10.0.0.11"), which in every lab topology is one path, "nic0->port0" (in a mesh too, since each
/// NIC has its own address). A name no lab path has keeps itself.
/// </summary>
public static class PathLabels
{
    public static Func<string, string> For(IReadOnlyList<LabPath> paths)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var shared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            // The same spelling the initiator uses (IPv6 brackets, address formatting).
            var name = IscsiUrl.Parse(path.Url("iqn.2026-11.io.storlane:label", 0)).PathName;
            if (!labels.TryAdd(name, path.Label))
            {
                shared.Add(name);
            }
        }

        return name => labels.TryGetValue(name, out var label) && !shared.Contains(name) ? label : name;
    }
}
