using Storlane.Scsi;

namespace Storlane.Target.Portals;

/// <summary>
/// Each portal group's ALUA state as the portal list names it. A portal group is one SCSI target port
/// group with one ASYMMETRIC ACCESS STATE (SPC-4 5.16.2.1), so its portals may repeat the state but not
/// contradict it; a group none of whose portals names a state is active/optimized.
/// </summary>
public static class PortalGroupStates
{
    /// <summary>Every group of <paramref name="portals"/> with its state, in group order.</summary>
    /// <param name="problems">Receives one line per portal that contradicts its group's state; null to ignore them (the first state wins).</param>
    public static SortedDictionary<ushort, TargetPortGroupState> Of(IReadOnlyList<PortalOptions> portals, List<string>? problems)
    {
        ArgumentNullException.ThrowIfNull(portals);
        var named = new Dictionary<ushort, TargetPortGroupState>();
        var states = new SortedDictionary<ushort, TargetPortGroupState>();
        foreach (var portal in portals)
        {
            if (portal.AluaState is not { } state)
            {
                states.TryAdd(portal.Group, TargetPortGroupState.ActiveOptimized);
                continue;
            }

            if (named.TryGetValue(portal.Group, out var first))
            {
                if (first != state)
                {
                    problems?.Add($"portal {portal}: portal group {portal.Group} is already {first}; the portals of one group share one ALUA state");
                }

                continue;
            }

            named.Add(portal.Group, state);
            states[portal.Group] = state;
        }

        return states;
    }
}
