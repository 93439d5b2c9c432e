namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// dm-multipath (multipathd, scsi_dh_alua, prio alua, group_by_prio) over two portals of
/// storlane serve, one per portal group, each reached through its own guest NIC.
/// </summary>
[Collection(KernelVmCollection.Name)]
public sealed class KernelMultipathTests
{
    private const string Target = "iqn.2026-12.io.storlane:kernel";

    private static readonly Dictionary<string, string> Variables = new() { ["TARGET"] = Target };

    [VmFact("iscsiadm", "multipathd", "fio")]
    public async Task BothGroupsOptimized_OneMapOneGroup_EverySelectorCarriesIoOnBothPaths()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await using var rig = await KernelRig.CreateAsync(nics: 2, cancel.Token);
        await rig.StartStorlaneAsync(Config(preferFirstGroup: false));
        await using var vm = await rig.BootAsync("multipath-selectors.sh", Variables, TimeSpan.FromMinutes(5), cancel.Token);
        var results = await rig.FinishAsync(vm, cancel.Token);

        // SPC-4 5.16: both groups active/optimized -> same ALUA priority -> one path group of two.
        results.AssertEqual("1", "maps");
        results.AssertEqual("1", "groups");
        results.AssertEqual("1_alua", "hwhandler");
        foreach (var selector in (string[])["round-robin", "queue-length", "service-time"])
        {
            Assert.True(results.Number(selector + ".path1_ios") > 100, $"{selector}: path 1 carried {results[selector + ".path1_ios"]} I/Os\n{results.Log}");
            Assert.True(results.Number(selector + ".path2_ios") > 100, $"{selector}: path 2 carried {results[selector + ".path2_ios"]} I/Os\n{results.Log}");
        }
    }

    /// <summary>
    /// Portal group 2 configured active/non-optimized: multipath makes two priority groups and uses
    /// group 1 alone; its cable pulled under fio verify (open-iscsi NOP-Out every 2 s with 5 s to answer, replacement_timeout 5 s),
    /// I/O moves to group 2 with no error and the data verified. The stall is printed, not asserted.
    /// </summary>
    [VmFact("iscsiadm", "multipathd", "fio")]
    public async Task PreferredGroup_CarriesAllIo_CablePulledMidFio_OtherGroupTakesOver_NoErrorsDataVerified()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await using var rig = await KernelRig.CreateAsync(nics: 2, cancel.Token);
        await rig.StartStorlaneAsync(Config(preferFirstGroup: true));
        var variables = new Dictionary<string, string>(Variables) { ["TIMERS"] = "safe", ["RUNTIME"] = "25", ["PATH_GROUPS"] = "2" };
        await using var vm = await rig.BootAsync("cable-pull.sh", variables, TimeSpan.FromMinutes(5), cancel.Token);
        Assert.True(await vm.WaitForLineAsync("MARK fio-started", TimeSpan.FromMinutes(3), cancel.Token), vm.GuestLog + "\n--- console\n" + vm.Console + "\n--- target\n" + rig.TargetLog);
        await Task.Delay(TimeSpan.FromSeconds(8), cancel.Token);
        await rig.Network.SetLinkAsync(0, up: false, cancel.Token);
        var results = await rig.FinishAsync(vm, cancel.Token);

        results.AssertEqual("2", "groups");
        Assert.True(results.Number("before_path1_ios") > 100, results.Log);
        results.AssertEqual("0", "before_path2_ios");
        results.AssertEqual("0", "pull_exit");
        results.AssertEqual("0", "pull_errors");
        Assert.True(results.Number("during_path2_ios") > 100, "group 2 never took the I/O over:\n" + results.Log);
        results.AssertEqual("yes", "path1_failed");

        // The kernel's ALUA handler activated the fallback group with SET TARGET PORT GROUPS
        // (explicit ALUA, SPC-4 6.43): group 2 now reports active/optimized.
        results.AssertEqual("0x00", "group2_state_after");
        Console.WriteLine($"cable pull, Storlane target, NOP 2 s/5 s, replacement 5 s: longest completion {results["pull_longest_ms"]} ms, longest stretch without a completion {results["pull_gap_ms"]} ms; group 2's ALUA state afterwards {results["group2_state_after"]}");
    }

    /// <summary>
    /// queue_if_no_path: the target stopped (SIGTERM) and started again while fio verify runs on the
    /// map; open-iscsi logs both sessions back in and fio sees no error.
    /// </summary>
    [VmFact("iscsiadm", "multipathd", "fio")]
    public async Task TargetRestartedUnderIo_SessionsRecover_NoIoError()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await using var rig = await KernelRig.CreateAsync(nics: 2, cancel.Token);
        await rig.StartStorlaneAsync(Config(preferFirstGroup: false));
        var variables = new Dictionary<string, string>(Variables) { ["RUNTIME"] = "30" };
        await using var vm = await rig.BootAsync("restart.sh", variables, TimeSpan.FromMinutes(5), cancel.Token);
        Assert.True(await vm.WaitForLineAsync("MARK fio-started", TimeSpan.FromMinutes(3), cancel.Token), vm.GuestLog + "\n--- console\n" + vm.Console + "\n--- target\n" + rig.TargetLog);
        await Task.Delay(TimeSpan.FromSeconds(6), cancel.Token);
        Assert.Equal(0, await rig.StopStorlaneAsync());
        await Task.Delay(TimeSpan.FromSeconds(3), cancel.Token);
        await rig.StartStorlaneAsync();
        var results = await rig.FinishAsync(vm, cancel.Token);

        results.AssertEqual("0", "restart_exit");
        results.AssertEqual("0", "restart_errors");
        results.AssertEqual("2", "sessions_logged_in");
        results.AssertEqual("2", "paths_ready");
        Console.WriteLine($"target restart: longest completion {results["restart_longest_ms"]} ms");
    }

    /// <summary>Two portals, one group each; with <paramref name="preferFirstGroup"/> group 2 is active/non-optimized.</summary>
    internal static string Config(bool preferFirstGroup) => $$"""
        portals:
          - address: 10.231.1.1
            group: 1
          - address: 10.231.2.1
            group: 2
        {{(preferFirstGroup ? "    alua-state: active-non-optimized\n" : string.Empty)}}targets:
          - name: {{Target}}
            luns:
              - lun: 0
                path: lun0.img
                size: 256M
        """;
}
