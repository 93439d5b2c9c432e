namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// The Linux kernel's NVMe/TCP host (nvme_tcp, nvme-cli) against storlane serve: the same target
/// and LUNs as iSCSI, served as an NVM subsystem with a 512-byte and a 4096-byte namespace, on two
/// portals whose groups are ANA optimized and non-optimized (one guest boot for all of it).
/// </summary>
[Collection(KernelVmCollection.Name)]
public sealed class KernelNvmeTcpTests
{
    private const string Config = """
        portals:
          - address: 10.231.1.1
            group: 1
          - address: 10.231.2.1
            group: 2
            alua-state: active-non-optimized
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
    public async Task Discover_ConnectPlainAndWithDigests_LbaSizes_Ext4AndFioVerify_Disconnect_ThenAnaMultipathSurvivesACablePull()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(11));
        await using var rig = await KernelRig.CreateAsync(nics: 2, cancel.Token);
        await rig.StartStorlaneAsync(Config);
        await using var vm = await rig.BootAsync("nvme-tcp.sh", null, TimeSpan.FromMinutes(9), cancel.Token);
        Assert.True(await vm.WaitForLineAsync("MARK fio-started", TimeSpan.FromMinutes(8), cancel.Token), vm.GuestLog + "\n--- console\n" + vm.Console);
        await Task.Delay(TimeSpan.FromSeconds(8), cancel.Token);
        await rig.Network.SetLinkAsync(0, up: false, cancel.Token);
        var results = await rig.FinishAsync(vm, cancel.Token);

        results.AssertEqual("2", "discovered");
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

        // Native multipath: both paths live, each with its portal group's ANA state; the optimized
        // path's cable pulled mid-fio: no error, the data verified, the non-optimized path took the I/O.
        results.AssertEqual("2", "mp_live");
        results.AssertEqual("1", "mp_optimized");
        results.AssertEqual("1", "mp_nonoptimized");
        results.AssertEqual("0", "mp_exit");
        results.AssertEqual("0", "mp_errors");
        Assert.True(results.Number("mp_during_path2_ios") > 100, "the non-optimized path never took the I/O over:\n" + results.Log);
        Console.WriteLine($"NVMe/TCP native multipath, cable pulled (keep-alive 5 s): longest completion {results["mp_longest_ms"]} ms, longest stretch without a completion {results["mp_gap_ms"]} ms; path I/Os {results["mp_during_path1_ios"]} / {results["mp_during_path2_ios"]}");
    }
}
