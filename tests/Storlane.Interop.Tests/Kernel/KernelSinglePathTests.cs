namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// The Linux kernel initiator (open-iscsi, iscsi_tcp) against storlane serve, one session with
/// mutual CHAP and CRC32C header and data digests, three LUNs of the three sector formats.
/// </summary>
[Collection(KernelVmCollection.Name)]
public sealed class KernelSinglePathTests
{
    private const string Config = """
        portals:
          - address: 10.231.1.1
            group: 1
        targets:
          - name: iqn.2026-12.io.storlane:kernel
            chap: { user: vmhost, secret: "vm-chap-secret-1" }
            mutual-chap: { user: storlane, secret: "target-secret-2" }
            luns:
              - lun: 0
                path: lun512n.img
                size: 512M
              - lun: 1
                path: lun512e.img
                size: 512M
                physical-block-size: 4096
              - lun: 2
                path: lun4kn.img
                size: 512M
                logical-block-size: 4096
        """;

    [VmFact("iscsiadm", "iscsid", "fio", "mkfs.ext4", "mkfs.xfs", "fstrim")]
    public async Task MutualChapAndDigests_SectorFormatsInSysfs_FioVerify_Ext4AndXfs_FstrimFreesSpace_GrownLunAfterRescan()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await using var rig = await KernelRig.CreateAsync(nics: 1, cancel.Token);
        await rig.StartStorlaneAsync(Config);
        await using var vm = await rig.BootAsync("single-path.sh", null, TimeSpan.FromMinutes(6), cancel.Token);

        // fstrim: the LUN file gives back what the deleted file held (SBC-3 UNMAP -> hole punched).
        await rig.ReachedAsync(vm, "filled", TimeSpan.FromMinutes(5), cancel.Token);
        var filled = await rig.AllocatedBytesAsync("lun512n.img");
        await rig.AnswerAsync("filled");
        await rig.ReachedAsync(vm, "trimmed", TimeSpan.FromMinutes(1), cancel.Token);
        var trimmed = await rig.AllocatedBytesAsync("lun512n.img");
        await rig.AnswerAsync("trimmed");

        // A LUN grown with SIGHUP: the guest sees the new size after iscsiadm --rescan.
        await rig.ReachedAsync(vm, "grow", TimeSpan.FromMinutes(1), cancel.Token);
        var grown = File.ReadAllText(rig.ConfigPath).Replace("path: lun512n.img\n        size: 512M", "path: lun512n.img\n        size: 640M", StringComparison.Ordinal);
        await File.WriteAllTextAsync(rig.ConfigPath, grown);
        await Infrastructure.CommandRunner.SignalAsync(rig.Target.Pid, "HUP");
        await WaitForAsync(() => rig.TargetLog.Contains("grown: LUN 0", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await rig.AnswerAsync("grow");

        var results = await rig.FinishAsync(vm, cancel.Token);

        results.AssertEqual("CRC32C", "HeaderDigest");
        results.AssertEqual("CRC32C", "DataDigest");
        AssertQueue(results, "lun0", logical: 512, physical: 512);
        AssertQueue(results, "lun1", logical: 512, physical: 4096);
        AssertQueue(results, "lun2", logical: 4096, physical: 4096);
        foreach (var fio in (string[])["fio512e", "fio4kn"])
        {
            results.AssertEqual("0", fio + "_exit");
            results.AssertEqual("0", fio + "_errors");
        }

        results.AssertEqual("same", "ext4_readback");
        results.AssertEqual("clean", "ext4_fsck");
        results.AssertEqual("same", "xfs_readback");
        results.AssertEqual("clean", "xfs_repair");
        Assert.True(results.Number("fstrim_bytes") > 32L << 20, $"fstrim trimmed only {results["fstrim_bytes"]} bytes");
        Assert.True(filled - trimmed >= 30L << 20, $"the LUN file held {filled} bytes before fstrim and {trimmed} after: the 32 MiB deleted were not given back");
        Assert.Equal(512L << 20, results.Number("lun0_bytes_before"));
        Assert.Equal(640L << 20, results.Number("lun0_bytes_after"));
    }

    /// <summary>sysfs queue limits: block sizes as the LUN declares them; discard granularity one physical block, discard enabled.</summary>
    private static void AssertQueue(GuestResults results, string lun, int logical, int physical)
    {
        Assert.Equal(logical, results.Number(lun + ".logical"));
        Assert.Equal(physical, results.Number(lun + ".physical"));
        Assert.Equal(physical, results.Number(lun + ".discard_granularity"));
        Assert.True(results.Number(lun + ".discard_max_bytes") > 0, lun + ": discard is off");
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the target's reload");
            await Task.Delay(100);
        }
    }
}
