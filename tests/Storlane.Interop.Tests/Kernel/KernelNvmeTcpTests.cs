using Storlane.Interop.Tests.Infrastructure;
using Storlane.TestSupport;

namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// The Linux kernel's NVMe/TCP host (nvme_tcp, nvme-cli) against storlane serve: the same target
/// and LUNs as iSCSI, served as an NVM subsystem with a 512-byte and a 4096-byte namespace, on two
/// portals whose groups are ANA optimized and non-optimized (one guest boot for all of it).
/// </summary>
[Collection(KernelVmCollection.Name)]
public sealed class KernelNvmeTcpTests
{
    private const string TargetName = "iqn.2026-12.io.storlane:nvme";

    /// <summary>LUN 2, added live as namespace 3 (4096-byte LBAs, 128 MiB) and removed again.</summary>
    private const string AddedLun = """
              - lun: 2
                path: added.img
                size: 128M
                logical-block-size: 4096

        """;

    /// <summary>The config: LUN 1 (namespace 2) is <paramref name="lun1Size"/>, grown live from 256M.</summary>
    private static string Config(string lun1Size = "256M", bool addedLun = false) => $"""
        portals:
          - address: 10.231.1.1
            group: 1
          - address: 10.231.2.1
            group: 2
            alua-state: active-non-optimized
        targets:
          - name: {TargetName}
            luns:
              - lun: 0
                path: ns512.img
                size: 256M
              - lun: 1
                path: ns4k.img
                size: {lun1Size}
                logical-block-size: 4096
        {(addedLun ? AddedLun : string.Empty)}nvme:
          enabled: true
        """;

    [VmFact("nvme", "fio", "mkfs.ext4")]
    public async Task Discover_ConnectPlainAndWithDigests_LbaSizes_Ext4AndFioVerify_LiveNamespaceAddGrowRemove_Disconnect_ThenAnaMultipathSurvivesACablePull()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(16));
        await using var rig = await KernelRig.CreateAsync(nics: 2, cancel.Token);
        await rig.StartStorlaneAsync(Config());
        await using var vm = await rig.BootAsync("nvme-tcp.sh", null, TimeSpan.FromMinutes(14), cancel.Token);

        // Live LUN changes while the guest is connected (SIGHUP with the edited file): the guest
        // waits at each checkpoint until the reload is applied, then for the kernel to follow.
        await rig.ReachedAsync(vm, "ns-add", TimeSpan.FromMinutes(8), cancel.Token);
        await ReloadAsync(rig, Config(addedLun: true), $"LUN 2 of {TargetName} added", cancel.Token);
        await rig.AnswerAsync("ns-add");
        await rig.ReachedAsync(vm, "ns-grow", TimeSpan.FromMinutes(3), cancel.Token);
        await ReloadAsync(rig, Config("320M", addedLun: true), $"grown: LUN 1 of {TargetName} to", cancel.Token);
        await rig.AnswerAsync("ns-grow");
        await rig.ReachedAsync(vm, "ns-remove", TimeSpan.FromMinutes(3), cancel.Token);
        await ReloadAsync(rig, Config("320M"), $"LUN 2 of {TargetName} removed", cancel.Token);
        await rig.AnswerAsync("ns-remove");

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

        // The kernel followed each change from the Namespace Attribute Changed event alone: the same
        // controller (CNTLID) throughout, no reconnect; namespace 1 took writes read back all along.
        Assert.True(results["live_add_ms"] != "never", "the added LUN never appeared as namespace 3:\n" + results.Log + "\n--- target\n" + rig.TargetLog);
        results.AssertEqual("4096", "live_ns3.logical");
        Assert.Equal(128L << 20 >> 9, results.Number("live_ns3.sectors"));
        Assert.Equal(256L << 20 >> 9, results.Number("live_ns2_sectors_before"));
        Assert.True(results["live_grow_ms"] != "never", "namespace 2 never showed its grown size:\n" + results.Log);
        Assert.Equal(320L << 20 >> 9, results.Number("live_ns2_sectors_after"));
        Assert.True(results["live_remove_ms"] != "never", "namespace 3 never went away after its LUN was removed:\n" + results.Log);
        Assert.Equal(results["live_cntlid_before"], results["live_cntlid_after"]);
        Assert.True(results.Number("live_rescans") >= 3, $"the kernel logged {results["live_rescans"]} namespace rescans for three changes:\n" + results.Log);
        results.AssertEqual("0", "live_io_failures");
        var ioCounts = (long[])[results.Number("live_io_after_add"), results.Number("live_io_after_grow"), results.Number("live_io_after_remove"), results.Number("live_io_passes")];
        Assert.True(ioCounts[0] > 0 && ioCounts[1] > ioCounts[0] && ioCounts[2] > ioCounts[1], "I/O on namespace 1 stalled during a change (passes after add, grow, remove, total): " + string.Join(", ", ioCounts));
        Console.WriteLine($"NVMe/TCP live changes seen by the kernel: namespace added in {results["live_add_ms"]} ms, grown in {results["live_grow_ms"]} ms, removed in {results["live_remove_ms"]} ms (after the reload was logged); {results["live_io_passes"]} write+read-back passes on namespace 1 meanwhile");

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

    /// <summary>Writes <paramref name="yaml"/> as the config, sends SIGHUP, and waits for the reload's outcome, which must name <paramref name="change"/>.</summary>
    private static async Task ReloadAsync(KernelRig rig, string yaml, string change, CancellationToken cancellationToken)
    {
        var reloads = Count(rig.TargetLog, "reloaded: ");
        var refusals = Count(rig.TargetLog, "reload refused");
        await File.WriteAllTextAsync(rig.ConfigPath, yaml, cancellationToken);
        await CommandRunner.SignalAsync(rig.Target.Pid, "HUP");
        await Eventually.TrueAsync(
            () => Count(rig.TargetLog, "reloaded: ") > reloads || Count(rig.TargetLog, "reload refused") > refusals,
            TimeSpan.FromSeconds(60),
            "the target's reload after SIGHUP");
        Assert.True(Count(rig.TargetLog, "reload refused") == refusals, "the reload was refused:\n" + rig.TargetLog);
        Assert.Contains(change, rig.TargetLog, StringComparison.Ordinal);
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
