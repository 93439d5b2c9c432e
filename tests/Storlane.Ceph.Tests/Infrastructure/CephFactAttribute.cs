using Storlane.Lab.Ceph;

namespace Storlane.Ceph.Tests.Infrastructure;

/// <summary>
/// A test that needs a single-node Ceph: skipped, with the reason naming the missing packages (or
/// root), where one cannot start. xunit 2 has no dynamic skip, so the reason is decided here.
/// </summary>
public sealed class CephFactAttribute : FactAttribute
{
    public CephFactAttribute()
    {
        Skip = CephPrerequisites.UnavailableReason() is { } why ? "skipped: " + why : null;
    }
}
