using Storlane.Lab.Topology.Namespaces;
using Storlane.Lab.Vm;

namespace Storlane.Lab.Tests.Vm;

public sealed class GuestKernelTests
{
    [Fact]
    public void Find_TakesTheNewestImageThatHasModules_AndSaysWhatIsMissingOtherwise()
    {
        var root = Directory.CreateTempSubdirectory("storlane-kernel-find-").FullName;
        try
        {
            var boot = Path.Combine(root, "boot");
            var modules = Path.Combine(root, "modules");
            Assert.Null(GuestKernel.Find(boot, modules, out var noBoot));
            Assert.Contains("linux-image-amd64", noBoot, StringComparison.Ordinal);

            Directory.CreateDirectory(boot);
            File.WriteAllText(Path.Combine(boot, "vmlinuz-6.1.0-1-amd64"), string.Empty);
            File.WriteAllText(Path.Combine(boot, "vmlinuz-6.1.0-2-amd64"), string.Empty);
            Assert.Null(GuestKernel.Find(boot, modules, out var noModules));
            Assert.Contains("no modules", noModules, StringComparison.Ordinal);

            Directory.CreateDirectory(Path.Combine(modules, "6.1.0-1-amd64", "kernel"));
            var kernel = GuestKernel.Find(boot, modules, out _);
            Assert.NotNull(kernel);
            Assert.Equal("6.1.0-1-amd64", kernel.Version); // -2 is newer but has no modules
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void VmNetworkNames_AreTheLabsOwn_SoASweepRemovesThoseOfADeadRun()
    {
        Assert.Equal(4242, NamespacePlan.OwnerPid(VmNetwork.NameFor(4242, 10_001)));
    }
}
