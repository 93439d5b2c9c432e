using Storlane.Lab.Ceph;

namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// A kernel-initiator fact over a single-node Ceph: skipped, naming what is missing, without the
/// Ceph packages or root (<see cref="CephPrerequisites"/>), or without what <see cref="VmFactAttribute"/>
/// needs (qemu, Debian's kernel, busybox-static, the guest tools named).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CephVmFactAttribute : FactAttribute
{
    public CephVmFactAttribute(params string[] guestTools)
    {
        Skip = CephPrerequisites.UnavailableReason() is { } why ? "skipped: " + why : new VmFactAttribute(guestTools).Skip;
    }
}
