namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// The Linux kernel's NVMe/TCP host (nvme_tcp, nvme-cli) against storlane serve: the same target
/// and LUNs as iSCSI, served as an NVM subsystem with a 512-byte and a 4096-byte namespace.
/// </summary>
[Collection(KernelVmCollection.Name)]
public sealed class KernelNvmeTcpTests
{
    private const string Config = """
        portals:
          - address: 10.231.1.1
            group: 1
        targets:
          - name: iqn.2026-12.io.storlane:nvme
            luns:
              - lun: 0
                path: ns512.img
                size: 256M
              - lun: 1
                path: ns4k.img
                size: 256M
                logical-block-size: 4096
        nvme:
          enabled: true
        """;

    [VmFact("nvme", "fio", "mkfs.ext4")]
    public async Task Discover_ConnectPlainAndWithDigests_LbaSizes_Ext4AndFioVerify_Disconnect()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await using var rig = await KernelRig.CreateAsync(nics: 1, cancel.Token);
        await rig.StartStorlaneAsync(Config);
        await using var vm = await rig.BootAsync("nvme-tcp.sh", null, TimeSpan.FromMinutes(6), cancel.Token);
        var results = await rig.FinishAsync(vm, cancel.Token);

        results.AssertEqual("1", "discovered");
        foreach (var pass in (string[])["plain", "digests"])
        {
            results.AssertEqual("512", pass + "_ns1.logical");
            results.AssertEqual("4096", pass + "_ns2.logical");
            Assert.Equal(2, results.Number(pass + "_listed"));
            results.AssertEqual("0", $"fio_{pass}_exit");
            results.AssertEqual("0", $"fio_{pass}_errors");
            results.AssertEqual("1", pass + "_disconnect");
        }

        results.AssertEqual("same", "ext4_readback");
        results.AssertEqual("clean", "ext4_fsck");
        Assert.Contains("NVMe/TCP listening on 10.231.1.1:4420", rig.TargetLog, StringComparison.Ordinal);
    }
}
