using Storlane.Lab.Topology;

namespace Storlane.Lab.Tests.Topology;

/// <summary>
/// A fact that needs network namespaces (root and iproute2). xunit 2 has no dynamic skip; setting
/// <see cref="FactAttribute.Skip"/> in the constructor is evaluated at discovery, which is when
/// the privileges are known. CI runs as root, so there these tests run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NamespaceFactAttribute : FactAttribute
{
    public NamespaceFactAttribute()
    {
        if (LabTopologyFactory.NamespacesUnavailableReason() is { } reason)
        {
            Skip = $"skipped: network namespace tests need root and iproute2 ({reason}); run as root, as CI does";
        }
    }
}
