using Storlane.Lab.Processes;
using Storlane.Lab.Topology.InProcess;
using Storlane.Lab.Topology.Namespaces;

namespace Storlane.Lab.Topology;

/// <summary>
/// Builds a topology in the mode asked for. Auto uses network namespaces when this is Linux, we
/// are root and iproute2 works, and otherwise falls back to in-process links, saying why in the
/// topology's description.
/// </summary>
public static class LabTopologyFactory
{
    public static async Task<ILabTopology> CreateAsync(LabTopologySpec spec, LabLinkPreference preference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var storlane = StorlaneExecutable.Resolve();

        // Children of a lab process that was killed outright would hold their portals forever.
        ChildRegistry.SweepDeadRuns();
        if (preference == LabLinkPreference.InProcess)
        {
            return await InProcessTopology.CreateAsync(spec, storlane, "in-process links requested", cancellationToken).ConfigureAwait(false);
        }

        var missing = NamespacesUnavailableReason();
        if (missing is not null)
        {
            if (preference == LabLinkPreference.Namespaces)
            {
                throw new LabTopologyException($"network namespaces are not available: {missing}");
            }

            return await InProcessTopology.CreateAsync(spec, storlane, missing, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await NamespaceTopology.CreateAsync(spec, storlane, cancellationToken).ConfigureAwait(false);
        }
        catch (LabTopologyException e) when (preference == LabLinkPreference.Auto)
        {
            return await InProcessTopology.CreateAsync(spec, storlane, "namespace setup failed: " + e.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Why namespaces cannot be used here, or null when they can be tried.</summary>
    public static string? NamespacesUnavailableReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "not root";
        }

        if (!HostCommand.Exists("ip") || !HostCommand.Exists("tc"))
        {
            return "iproute2 (ip, tc) not found";
        }

        return null;
    }
}
