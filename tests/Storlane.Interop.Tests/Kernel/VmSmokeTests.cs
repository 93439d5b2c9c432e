using Storlane.Lab.Vm;

namespace Storlane.Interop.Tests.Kernel;

/// <summary>The harness itself: a guest boots, runs its script, reports its exit status, reaches its taps, and leaves nothing behind.</summary>
[Collection(KernelVmCollection.Name)]
public sealed class VmSmokeTests
{
    [VmFact]
    public async Task Guest_RunsItsScript_ReachesTheHostSideOfEachTap_AndTheNamespaceIsGoneAfterwards()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var folder = Directory.CreateTempSubdirectory("storlane-vm-").FullName;
        string namespaceName;
        await using (var network = await VmNetwork.CreateAsync(2, cancel.Token))
        {
            namespaceName = network.NamespaceName;
            await using var vm = await LinuxVm.StartAsync(
                new VmOptions
                {
                    Script = """
                        uname -r
                        busybox ping -c 1 -W 5 10.231.1.1 && busybox ping -c 1 -W 5 10.231.2.1 && echo pinged-both
                        exit 7
                        """,
                    ShareDirectory = folder,
                    CacheDirectory = KernelTestFolders.Cache,
                    Network = network,
                    Timeout = TimeSpan.FromMinutes(3),
                },
                cancel.Token);
            var result = await vm.WaitAsync(cancel.Token);

            Assert.True(result.ExitCode == 7, result.Describe());
            Assert.Contains("pinged-both", result.GuestLog, StringComparison.Ordinal);
            Assert.Contains(GuestKernel.Find(out _)!.Version, result.GuestLog, StringComparison.Ordinal);
        }

        var namespaces = await Infrastructure.CommandRunner.RunAsync("ip", ["netns", "list"]);
        Assert.DoesNotContain(namespaceName, namespaces.Output, StringComparison.Ordinal);
    }
}
