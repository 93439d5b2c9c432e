using System.Collections.Concurrent;

namespace Storlane.Scsi;

/// <summary>
/// The target ports of the SCSI target device (one per iSCSI portal group), their target port
/// groups and each group's asymmetric access state (SPC-4 5.16), shared by every logical unit of the
/// target. Ports are registered by the transport at start-up and also learned from every I_T nexus
/// that sends a command. A group nobody set is active/optimized. The command path reads one volatile
/// flag while every group is active.
/// </summary>
internal sealed class TargetPortRegistry
{
    private readonly ConcurrentDictionary<ushort, ushort> _groupByRelativePort = new();
    private readonly ConcurrentDictionary<ushort, (TargetPortGroupState State, byte StatusCode)> _stateByGroup = new();
    private volatile bool _anyInaccessible;

    /// <summary>True while some group is in standby or unavailable (commands must be checked).</summary>
    public bool AnyInaccessible => _anyInaccessible;

    public TargetPortGroupState State(ushort group) =>
        _stateByGroup.TryGetValue(group, out var entry) ? entry.State : TargetPortGroupState.ActiveOptimized;

    /// <summary>STATUS CODE of the RTPG descriptor: 00h none, 01h altered by SET TARGET PORT GROUPS, 02h altered implicitly.</summary>
    public byte StatusCode(ushort group) => _stateByGroup.TryGetValue(group, out var entry) ? entry.StatusCode : (byte)0;

    public bool HasGroup(ushort group)
    {
        foreach (var known in _groupByRelativePort.Values)
        {
            if (known == group)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sets a group's state; false when it already had it.</summary>
    public bool SetState(ushort group, TargetPortGroupState state, byte statusCode)
    {
        var changed = State(group) != state;
        _stateByGroup[group] = (state, statusCode);
        var inaccessible = false;
        foreach (var entry in _stateByGroup.Values)
        {
            inaccessible |= entry.State is TargetPortGroupState.Standby or TargetPortGroupState.Unavailable;
        }

        _anyInaccessible = inaccessible;
        return changed;
    }

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
