namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// SCSI-3 persistent reservations issued by sg_persist through the kernel's sd, from two initiator
/// names on one host (two iscsiadm ifaces), the way a failover cluster arbitrates for a disk.
/// </summary>
[Collection(KernelVmCollection.Name)]
public sealed class KernelReservationTests
{
    [VmFact("iscsiadm", "sg_persist")]
    public async Task TwoInitiatorNames_RegisterReserveConflictPreemptRelease()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var rig = await KernelRig.CreateAsync(nics: 1, cancel.Token);
        await rig.StartStorlaneAsync("""
            portals:
              - address: 10.231.1.1
            targets:
              - name: iqn.2026-12.io.storlane:kernel
                luns:
                  - lun: 0
                    path: lun0.img
                    size: 64M
            """);
        var variables = new Dictionary<string, string> { ["TARGET"] = "iqn.2026-12.io.storlane:kernel" };
        await using var vm = await rig.BootAsync("reservations.sh", variables, TimeSpan.FromMinutes(4), cancel.Token);
        var results = await rig.FinishAsync(vm, cancel.Token);

        results.AssertEqual("0xa1,0xb2", "keys_registered");
        results.AssertEqual("0xa1/Write_Exclusive", "holder_after_reserve");

        // SPC-4 5.14.1 table: Write Exclusive lets every nexus read; writes from non-holders conflict.
        results.AssertEqual("ok", "a_write_reserved");
        results.AssertEqual("refused", "b_write_reserved");
        results.AssertEqual("ok", "b_read_reserved");
        results.AssertEqual("conflict", "b_reserve");

        // SPC-4 5.14.11.4.4: PREEMPT of the holder's key removes its registration, moves the
        // reservation to the preempting nexus, and tells the preempted one REGISTRATIONS PREEMPTED.
        results.AssertEqual("Registrations_preempted", "a_sense_after_preempt");
        results.AssertEqual("0xb2", "keys_after_preempt");
        results.AssertEqual("0xb2/Write_Exclusive", "holder_after_preempt");
        results.AssertEqual("refused", "a_write_preempted");
        results.AssertEqual("ok", "b_write_preempted");

        results.AssertEqual("none", "keys_at_end");
        results.AssertEqual("none", "holder_at_end");
        results.AssertEqual("ok", "a_write_at_end");
    }
}
