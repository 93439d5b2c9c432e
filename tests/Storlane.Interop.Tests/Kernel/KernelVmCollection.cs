namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// The kernel tests run one guest at a time: each boots a TCG VM that keeps a core busy, and two at
/// once on a 2-core CI machine would only make both slow (other interop classes still run beside).
/// </summary>
[CollectionDefinition(Name)]
public sealed class KernelVmCollection
{
    public const string Name = "kernel VM";
}
