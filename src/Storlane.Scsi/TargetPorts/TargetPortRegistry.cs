using System.Collections.Concurrent;

namespace Storlane.Scsi;

/// <summary>
/// The target ports of the SCSI target device (one per iSCSI portal group) and their target port
/// groups, for REPORT TARGET PORT GROUPS. Ports are registered by the transport at start-up and
/// also learned from every I_T nexus that sends a command.
/// </summary>
internal sealed class TargetPortRegistry
{
    private readonly ConcurrentDictionary<ushort, ushort> _groupByRelativePort = new();

    public void Add(ushort relativeTargetPortId, ushort targetPortGroup) => _groupByRelativePort[relativeTargetPortId] = targetPortGroup;

    /// <summary>Groups in ascending order, each with its relative target port ids in ascending order.</summary>
    public SortedDictionary<ushort, List<ushort>> Groups()
    {
        var groups = new SortedDictionary<ushort, List<ushort>>();
        foreach (var (port, group) in _groupByRelativePort)
        {
            if (!groups.TryGetValue(group, out var ports))
            {
                ports = [];
                groups.Add(group, ports);
            }

            ports.Add(port);
        }

        foreach (var ports in groups.Values)
        {
            ports.Sort();
        }

        return groups;
    }
}
