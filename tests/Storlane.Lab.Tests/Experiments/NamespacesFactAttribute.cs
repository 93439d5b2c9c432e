using Storlane.Lab.Topology;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>A test that builds network namespaces: skipped, saying why, when not root or iproute2 is missing (CI runs as root).</summary>
public sealed class NamespacesFactAttribute : FactAttribute
{
    public NamespacesFactAttribute()
    {
        if (LabTopologyFactory.NamespacesUnavailableReason() is { } reason)
        {
            Skip = $"needs network namespaces, which are unavailable here ({reason}); run as root with iproute2, as CI does";
        }
    }
}
