using System.Globalization;
using System.Text.Json;
using Storlane.Interop.Tests.Infrastructure;
using Storlane.Lab.Ceph;
using Storlane.Lab.Vm;

namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// Scale-out under the Linux kernel initiator: two storlane serve gateways over one RBD image of a
/// single-node Ceph, each its own portal group (the lease owner active/optimized, the other
/// active/non-optimized), open-iscsi logged in to both and dm-multipath (ALUA handler, group_by_prio,
/// queue_if_no_path) on top. The owning gateway is killed with SIGKILL under fio's verified 4K random
/// writes at QD16: fio must see no error and read every block it wrote back intact, and the stall is
/// reported (docs/scale-out.md).
/// </summary>
/// <remarks>
/// Where the cluster runs: inside the rig's network namespace, on that namespace's own loopback
/// (<see cref="SingleNodeCephOptions.CommandPrefix"/> = <c>ip netns exec NS</c>). The gateways must
/// listen on the taps' addresses, which exist only in the namespace, and reach the monitor and the
/// OSD; with everything in one namespace that needs no veth, no routes and no traffic outside
/// 127.0.0.0/8 and the taps, and deleting the namespace at the end sweeps anything left behind.
/// Every daemon and gateway is still stopped by PID first.
/// </remarks>
[Collection(KernelVmCollection.Name)]
public sealed class KernelCephGatewayTests
{
    private const string Target = "iqn.2026-12.io.storlane:kernel-rbd";
    private const string Image = "kernel-failover";
    private const int LeaseSeconds = 3;

    // fio runs 25 s; the kill comes 8 s in, leaving room for replacement_timeout (5 s) and the lease to move.
    private static readonly TimeSpan KillAfter = TimeSpan.FromSeconds(8);

    [CephVmFact("iscsiadm", "multipathd", "fio", "sg_rtpg")]
    public async Task OwningGatewayKilledMidFio_DmMultipathCarriesOnThroughTheOther_NoErrorsEveryWriteReadBack()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(9));
        await using var rig = await KernelRig.CreateAsync(nics: 2, cancel.Token);
        await using var ceph = await SingleNodeCeph.StartAsync(new SingleNodeCephOptions { CommandPrefix = rig.Network.Launcher }, cancel.Token);

        // Gateway 1 alone first, until it holds the lease: the guest logs in to the owner's path first.
        await using var owner = await StartGatewayAsync(rig, ceph, rig.Network.Nics[0], group: 1);
        await WaitForLeaseHolderAsync(ceph, "1", cancel.Token);
        await using var survivor = await StartGatewayAsync(rig, ceph, rig.Network.Nics[1], group: 2);
        string Logs() => "\n--- gateway 1\n" + owner.Log + "\n--- gateway 2\n" + survivor.Log;

        var results = await KillUnderFioAsync(rig, owner.Pid, Target, pathGroups: 2, Logs, cancel.Token);

        // SPC-4 5.16: the owner's group active/optimized, the other active/non-optimized -> two priority groups.
        results.AssertEqual("2", "groups");
        results.AssertEqual("0x00", "group1_state_before");
        results.AssertEqual("0x01", "group2_state_before");
        Assert.True(results.Number("before_path1_ios") > 100, results.Log);
        results.AssertEqual("0", "before_path2_ios");

        // fio's exit and error count: no I/O failed and every block written was read back and matched its crc32c.
        results.AssertEqual("0", "kill_exit");
        results.AssertEqual("0", "kill_errors");
        Assert.True(results.Number("during_path2_ios") > 100, "the surviving gateway never took the I/O over:\n" + results.Log + Logs());
        results.AssertEqual("yes", "path1_failed");
        results.AssertEqual("0x00", "group2_state_after");
        Console.WriteLine($"gateway SIGKILL under Linux dm-multipath over Ceph RBD (NOP 2 s/5 s, replacement 5 s, lease {LeaseSeconds} s): longest completion {results["kill_longest_ms"]} ms, longest stretch without a completion {results["kill_gap_ms"]} ms, {results["kill_ios"]} I/Os verified, 0 errors");
    }

    /// <summary>
    /// The peer row: the same cluster, guest and kill against two tgt-rbd gateways (tgtd with bs_rbd,
    /// librbd's cache off), one portal each, no ALUA (dm-multipath: one group of both paths). A
    /// measurement for docs/scale-out.md, not a CI test: it runs with STORLANE_KERNEL_CEPH_PEER=1.
    /// </summary>
    [TgtRbdPeerFact]
    public async Task TgtRbdGatewayKilledMidFio_PeerRow()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(9));
        await using var rig = await KernelRig.CreateAsync(nics: 2, cancel.Token);
        await using var ceph = await SingleNodeCeph.StartAsync(new SingleNodeCephOptions { CommandPrefix = rig.Network.Launcher }, cancel.Token);

        // The features Storlane's gateways give the images they create (layering, no exclusive-lock):
        // with exclusive-lock both rows would wait for the dead gateway's lock (GatewayFailoverTests).
        await ceph.RbdAsync(["create", "--size", "128M", "--image-feature", "layering", ceph.PoolName + "/" + Image], cancel.Token);
        var conf = Path.Combine(rig.Folder, "tgt-rbd.conf");
        var clusterConf = await File.ReadAllTextAsync(ceph.ConfPath, cancel.Token);
        await File.WriteAllTextAsync(conf, clusterConf.Replace("[global]\n", "[global]\nrbd cache = false\n", StringComparison.Ordinal), cancel.Token);
        await using var first = await TgtdInNamespace.StartRbdAsync(rig, rig.Network.Nics[0].HostAddress, ceph.PoolName, Image, conf);
        await using var second = await TgtdInNamespace.StartRbdAsync(rig, rig.Network.Nics[1].HostAddress, ceph.PoolName, Image, conf);

        var results = await KillUnderFioAsync(rig, first.Pid, TgtdInNamespace.TargetName, pathGroups: 1, () => string.Empty, cancel.Token);

        results.AssertEqual("0", "kill_exit");
        results.AssertEqual("0", "kill_errors");
        Assert.True(results.Number("during_path2_ios") > 100, "the surviving gateway never took the I/O over:\n" + results.Log);
        results.AssertEqual("yes", "path1_failed");
        Console.WriteLine($"tgt-rbd gateway SIGKILL under Linux dm-multipath over Ceph RBD (NOP 2 s/5 s, replacement 5 s): longest completion {results["kill_longest_ms"]} ms, longest stretch without a completion {results["kill_gap_ms"]} ms, {results["kill_ios"]} I/Os verified, 0 errors");
    }

    /// <summary>
    /// Boots the guest on gateway-kill.sh, SIGKILLs <paramref name="victim"/> <see cref="KillAfter"/> into
    /// its fio run and returns what the guest reported; fails with the guest's run and <paramref name="logs"/> unless it exited 0.
    /// </summary>
    private static async Task<GuestResults> KillUnderFioAsync(KernelRig rig, int victim, string target, int pathGroups, Func<string> logs, CancellationToken cancellationToken)
    {
        var variables = new Dictionary<string, string>
        {
            ["TARGET"] = target,
            ["RUNTIME"] = "25",
            ["PATH_GROUPS"] = pathGroups.ToString(CultureInfo.InvariantCulture),
        };
        await using var vm = await rig.BootAsync("gateway-kill.sh", variables, TimeSpan.FromMinutes(7), cancellationToken);
        Assert.True(await vm.WaitForLineAsync("MARK fio-started", TimeSpan.FromMinutes(5), cancellationToken), vm.GuestLog + "\n--- console\n" + vm.Console + logs());
        await Task.Delay(KillAfter, cancellationToken);
        await CommandRunner.SignalAsync(victim, "KILL");
        var run = await vm.WaitAsync(cancellationToken);
        Assert.True(run.Succeeded, run.Describe() + logs());
        return new GuestResults(run);
    }

    /// <summary>storlane serve in the namespace: one portal on <paramref name="nic"/>'s host address, LUN 0 on the shared image.</summary>
    private static async Task<StorlaneServer> StartGatewayAsync(KernelRig rig, SingleNodeCeph ceph, VmNic nic, int group)
    {
        var folder = Path.Combine(rig.Folder, "gateway" + group.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "storlane.yaml");
        await File.WriteAllTextAsync(config, $$"""
            portals:
              - { address: {{nic.HostAddress}}, port: 3260, group: {{group}} }
            targets:
              - name: {{Target}}
                luns:
                  - { lun: 0, backend: rbd, pool: {{ceph.PoolName}}, image: {{Image}}, create-size: 128MiB, ceph-conf: {{ceph.ConfPath}} }
            gateway: { name: gw{{group}}, ownership: true, groups: [1, 2], lease: {{LeaseSeconds}} }
            """);
        return await StorlaneServer.StartAsync(config, Path.Combine(folder, "data"), folder, rig.Network.Launcher);
    }

    /// <summary>Polls the ownership lease (a cls_lock on storlane.owner.IQN, cookie = portal group) until <paramref name="group"/> holds it.</summary>
    private static async Task WaitForLeaseHolderAsync(SingleNodeCeph ceph, string group, CancellationToken cancellationToken)
    {
        var holder = "none";
        for (var attempt = 0; attempt < 120; attempt++)
        {
            try
            {
                var json = await ceph.RadosAsync(["-p", ceph.PoolName, "lock", "info", "storlane.owner." + Target, "storlane.owner", "--format", "json"], cancellationToken);
                using var document = JsonDocument.Parse(json);
                var lockers = document.RootElement.GetProperty("lockers");
                holder = lockers.GetArrayLength() > 0 ? lockers[0].GetProperty("cookie").GetString() ?? "none" : "none";
                if (holder == group)
                {
                    return;
                }
            }
            catch (CephClusterException)
            {
                // The lease object does not exist until the first gateway's first round.
            }

            await Task.Delay(250, cancellationToken);
        }

        Assert.Fail($"gateway {group} never took the ownership lease (holder: {holder})");
    }

    /// <summary>Runs only with STORLANE_KERNEL_CEPH_PEER=1, and where Ceph, the VM and tgt-rbd are all here.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class TgtRbdPeerFactAttribute : FactAttribute
    {
        private const string Switch = "STORLANE_KERNEL_CEPH_PEER";

        public TgtRbdPeerFactAttribute()
        {
            Skip = Environment.GetEnvironmentVariable(Switch) != "1"
                ? $"skipped: the tgt-rbd peer row is a measurement, not a CI test ({Switch}=1 runs it)"
                : new CephVmFactAttribute("iscsiadm", "multipathd", "fio", "sg_rtpg").Skip ?? ToolSkip.Reason([ExternalTools.TgtRbd]);
        }
    }
}
