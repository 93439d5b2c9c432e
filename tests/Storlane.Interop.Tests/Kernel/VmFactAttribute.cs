using Storlane.Lab.Vm;

namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// A fact that boots a Linux guest under qemu TCG with its NICs in a network namespace: skipped,
/// saying what is missing, without qemu-system-x86, Debian's kernel, busybox-static, root, or the
/// guest-side tools named (which the guest runs from the host's root file system).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class VmFactAttribute : FactAttribute
{
    public VmFactAttribute(params string[] guestTools)
    {
        var why = LinuxVm.WhyUnavailable(needsNetwork: true);
        if (why is null)
        {
            foreach (var tool in guestTools)
            {
                if (!File.Exists("/usr/sbin/" + tool) && !File.Exists("/usr/bin/" + tool) && !File.Exists("/sbin/" + tool))
                {
                    why = $"{tool} not installed (the guest runs the host's; ./test.sh installs it when run as root)";
                    break;
                }
            }
        }

        Skip = why is null ? null : "skipped: " + why;
    }
}
