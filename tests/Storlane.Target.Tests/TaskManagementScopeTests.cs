using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>
/// Which tasks a task management response waits for (RFC 7143 11.5.1, 11.6; SAM-5 CLEAR TASK SET
/// and LOGICAL UNIT RESET): every task it aborted, on every session of the LU, and only those, and
/// the connection's target transfer tags stay unique whichever loop allocates them.
/// </summary>
public sealed class TaskManagementScopeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(TaskManagementFunction.LogicalUnitReset)]
    [InlineData(TaskManagementFunction.ClearTaskSet)]
    public async Task LuWideFunction_FromSessionB_AnswersOnlyAfterSessionAsTaskInTheDeviceHasEnded(TaskManagementFunction function)
    {
        var device = new GatedBlockDevice(16 << 20);
        var gate = device.GateAt(100);
        await using var target = await LoopbackTarget.StartAsync(o => UseDevice(o, device));
        await using var sessionA = await target.LoginAsync(portal: 0);
        await using var sessionB = await target.LoginAsync(portal: 1);

        var read = sessionA.ScsiCommandHeader(ScsiCdb.Read10(100, 8).ToArray(), 0, 4096, read: true, write: false);
        await sessionA.SendAsync(read);
        await gate.Entered.Task.WaitAsync(Patience);

        // The reset, then a ping on the same connection: the ping's answer is queued behind the
        // reset's response unless that response waits, as it must, for A's task to end.
        var tmf = RequestHeaders.TaskManagement(sessionB, function, 0);
        await sessionB.SendAsync(tmf);
        await sessionB.SendAsync(RequestHeaders.NopOut(sessionB));
        var first = await sessionB.ReceiveAsync(Patience);
        Assert.NotNull(first);
        Assert.Equal(Opcode.NopIn, new Bhs(first.Header).Opcode);

        await gate.Cancelled.Task.WaitAsync(Patience); // the function reached session A's task
        gate.Open();
        var response = await sessionB.ExpectAsync(Opcode.TaskManagementResponse);
        Assert.Equal(new Bhs(tmf).InitiatorTaskTag, new Bhs(response.Header).InitiatorTaskTag);
        Assert.Equal(TaskManagementResponse.FunctionComplete, (TaskManagementResponse)new Bhs(response.Header).Byte2);

        // A's READ was aborted: it answers nothing (TAS = 0), so A's next PDU answers its ping.
        await sessionA.SendAsync(RequestHeaders.NopOut(sessionA));
        var next = await sessionA.ReceiveAsync(Patience);
        Assert.NotNull(next);
        Assert.Equal(Opcode.NopIn, new Bhs(next.Header).Opcode);
    }

    [Fact]
    public async Task AbortTaskSet_WaitsForTheTasksItAborted_NotForALaterCommandThatReusesOneOfTheirTaskObjects()
    {
        var device = new GatedBlockDevice(16 << 20);
        var (first, second, later) = (device.GateAt(100), device.GateAt(200), device.GateAt(300));
        await using var target = await LoopbackTarget.StartAsync(o => UseDevice(o, device));
        await using var client = await target.LoginAsync();

        await client.SendAsync(client.ScsiCommandHeader(ScsiCdb.Read10(100, 8).ToArray(), 0, 4096, read: true, write: false));
        await client.SendAsync(client.ScsiCommandHeader(ScsiCdb.Read10(200, 8).ToArray(), 0, 4096, read: true, write: false));
        await Task.WhenAll(first.Entered.Task, second.Entered.Task).WaitAsync(Patience);
        var abortSet = RequestHeaders.TaskManagement(client, TaskManagementFunction.AbortTaskSet, 0);
        await client.SendAsync(abortSet);
        await Task.WhenAll(first.Cancelled.Task, second.Cancelled.Task).WaitAsync(Patience);

        // The second READ ends; its task object goes back to the pool and serves the next command,
        // which an ABORT TASK then catches in the device.
        second.Open();
        await Eventually.TrueAsync(() => client.Connection.Tasks.Pooled == 1);
        var laterRead = client.ScsiCommandHeader(ScsiCdb.Read10(300, 8).ToArray(), 0, 4096, read: true, write: false);
        await client.SendAsync(laterRead);
        await later.Entered.Task.WaitAsync(Patience);
        Assert.Equal(0, client.Connection.Tasks.Pooled); // it took the second READ's object
        var abortLater = RequestHeaders.TaskManagement(client, TaskManagementFunction.AbortTask, 0, new Bhs(laterRead).InitiatorTaskTag, new Bhs(laterRead).CmdSN);
        await client.SendAsync(abortLater);
        await later.Cancelled.Task.WaitAsync(Patience);

        // Once the first READ ends, everything ABORT TASK SET aborted has ended: it is answered,
        // while the later command is still in the device.
        first.Open();
        var setResponse = await client.ExpectAsync(Opcode.TaskManagementResponse);
        Assert.Equal(new Bhs(abortSet).InitiatorTaskTag, new Bhs(setResponse.Header).InitiatorTaskTag);
        Assert.False(later.Opened.Task.IsCompleted);

        later.Open();
        var laterResponse = await client.ExpectAsync(Opcode.TaskManagementResponse);
        Assert.Equal(new Bhs(abortLater).InitiatorTaskTag, new Bhs(laterResponse.Header).InitiatorTaskTag);
        Assert.Equal(TaskManagementResponse.FunctionComplete, (TaskManagementResponse)new Bhs(laterResponse.Header).Byte2);
    }

    [Fact]
    public async Task TargetTransferTags_AllocatedFromTwoThreadsAtOnce_AreAllDistinct()
    {
        // The receive loop (R2T, Text) and the ping loop (NOP-In) both take tags from one counter.
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync();
        const int PerThread = 500_000;
        var tags = new uint[2][];
        using var start = new Barrier(2);
        var threads = new Thread[2];
        for (var t = 0; t < threads.Length; t++)
        {
            var mine = tags[t] = new uint[PerThread];
            threads[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < mine.Length; i++)
                {
                    mine[i] = client.Connection.NextTargetTransferTag();
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        var distinct = new HashSet<uint>(tags[0]);
        distinct.UnionWith(tags[1]);
        Assert.Equal(2 * PerThread, distinct.Count);
        Assert.DoesNotContain(Bhs.ReservedTag, distinct);
    }

    private static void UseDevice(TargetServerOptions options, Storage.IBlockDevice device)
    {
        var luns = options.Targets[0].Luns;
        luns.Clear();
        luns.Add(new LunOptions { Lun = 0, Backend = LunBackend.Memory, Device = device, SizeBytes = device.Geometry.SizeInBytes });
    }
}
