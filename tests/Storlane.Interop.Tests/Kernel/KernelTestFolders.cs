namespace Storlane.Interop.Tests.Kernel;

/// <summary>Folders the kernel tests share: the initramfs cache survives between tests and runs (it is rebuilt only when its inputs change).</summary>
internal static class KernelTestFolders
{
    public static string Cache { get; } = Path.Combine(Path.GetTempPath(), "storlane-vm-cache");
}
