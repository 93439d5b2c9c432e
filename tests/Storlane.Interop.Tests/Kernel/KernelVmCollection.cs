namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// The kernel tests run one guest at a time and after every other interop class, with nothing
/// beside them: each boots a TCG VM whose one virtual CPU is a host thread, and the guest's timers
/// (open-iscsi's NOP-Out deadlines, udev's settle, the host's waits for a MARK) assume it gets a
/// core. On a busy 2-core host the guest's steps took several times longer (udev's settle after
/// coldplug: 13 s with a core, 25-77 s without) and the host's 3-minute wait for the first MARK ran out.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelVmCollection
{
    public const string Name = "kernel VM";
}
