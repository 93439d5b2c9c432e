using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>SAM-5 8.6 task attributes in the logical unit's task set.</summary>
public sealed class TaskAttributeTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";

    private static (ScsiHarness Harness, RecordingBlockDevice Device) BlockedReads()
    {
        var device = new RecordingBlockDevice(new BlockGeometry(512, 512, 2048)) { ReadGate = new TaskCompletionSource() };
        return (new ScsiHarness(device), device);
    }

    [Fact]
    public async Task Ordered_WaitsForOlderTasks_HoldsNewerSimple_HeadOfQueueRunsAtOnce()
    {
        // SAM-5 8.6.2/8.6.3: an ORDERED task is enabled when every older task has completed, and no
        // newer SIMPLE task is enabled before it completes; a HEAD OF QUEUE task is enabled at once.
        var (harness, device) = BlockedReads();
        var read = harness.Run(Cdb.Read10(0, 1), dataIn: 512);
        var write = harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512], attribute: ScsiTaskAttribute.Ordered);
        var simple = harness.Run(TestUnitReady);
        Assert.False(write.IsCompleted);
        Assert.False(simple.IsCompleted);
        Assert.Empty(device.Writes);
        Assert.Equal(2, harness.Unit.Tasks.Waiting);

        var headOfQueue = await harness.Run(Hex.Bytes(TestUnitReady), attribute: ScsiTaskAttribute.HeadOfQueue);
        headOfQueue.AssertGood();
        Assert.False(write.IsCompleted);

        device.ReadGate!.SetResult();
        (await read).AssertGood();
        (await write).AssertGood();
        (await simple).AssertGood();
        Assert.Single(device.Writes);
        Assert.Equal(0, harness.Unit.Tasks.Running);
        Assert.Equal(0, harness.Unit.Tasks.Waiting);
    }

    [Fact]
    public async Task Simple_RunConcurrently()
    {
        var (harness, device) = BlockedReads();
        var first = harness.Run(Cdb.Read10(0, 1), dataIn: 512);
        var untagged = harness.Run(Cdb.Read10(1, 1), dataIn: 512, attribute: ScsiTaskAttribute.Untagged);
        (await harness.Run(Cdb.Write10(5, 1), dataOut: new byte[512])).AssertGood();
        Assert.Equal(2, harness.Unit.Tasks.Running);
        device.ReadGate!.SetResult();
        (await first).AssertGood();
        (await untagged).AssertGood();
    }

    [Fact]
    public async Task AbortedWaitingOrderedTask_LeavesTheSet_AndReleasesNewerTasks()
    {
        var (harness, device) = BlockedReads();
        using var abort = new CancellationTokenSource();
        var read = harness.Run(Cdb.Read10(0, 1), dataIn: 512);
        var ordered = harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512], cancellationToken: abort.Token, attribute: ScsiTaskAttribute.Ordered);
        var simple = harness.Run(TestUnitReady);
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ordered);
        (await simple).AssertGood();
        device.ReadGate!.SetResult();
        (await read).AssertGood();
        Assert.Empty(device.Writes);
        Assert.Equal(0, harness.Unit.Tasks.Running);
    }

    [Fact]
    public async Task Ordered_WhenIdle_RunsAtOnce_AndDoesNotGateLaterTasks()
    {
        var harness = new ScsiHarness();
        (await harness.Run(Hex.Bytes(TestUnitReady), attribute: ScsiTaskAttribute.Ordered)).AssertGood();
        (await harness.Run(Cdb.Write10(0, 1), dataOut: new byte[512])).AssertGood();
        Assert.Equal(0, harness.Unit.Tasks.Running);
    }

    [Fact]
    public async Task AcaAttribute_IsInvalidMessageError()
    {
        // NormACA = 0: a task with the ACA attribute is refused (ILLEGAL REQUEST, 49h/00h).
        var harness = new ScsiHarness();
        var reply = await harness.Run(Hex.Bytes(TestUnitReady), attribute: ScsiTaskAttribute.Aca);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidMessageError);
    }
}
