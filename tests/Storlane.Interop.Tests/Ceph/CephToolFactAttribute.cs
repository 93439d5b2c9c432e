using Storlane.Interop.Tests.Infrastructure;
using Storlane.Lab.Ceph;

namespace Storlane.Interop.Tests.Ceph;

/// <summary>A test that needs a single-node Ceph and some clients: skipped, naming the packages, when either is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CephToolFactAttribute : FactAttribute
{
    public CephToolFactAttribute(params string[] tools)
    {
        Skip = CephPrerequisites.UnavailableReason() is { } why ? "skipped: " + why : ToolSkip.Reason(tools);
    }
}
