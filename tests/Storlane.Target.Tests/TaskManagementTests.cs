using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>Task management functions (RFC 7143 11.5/11.6, SAM-5 7) over the in-memory transport.</summary>
public class TaskManagementTests
{
    private static async Task<TaskManagementResponse> SendTmfAsync(PduClient client, byte[] header)
    {
        await client.SendAsync(header);
        var response = await client.ExpectAsync(Opcode.TaskManagementResponse);
        Assert.Equal(new Bhs(header).InitiatorTaskTag, new Bhs(response.Header).InitiatorTaskTag);
        return (TaskManagementResponse)new Bhs(response.Header).Byte2;
    }

    [Fact]
    public async Task AbortTask_WhileWaitingForData_CompletesAndTheTaskSendsNoResponse()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync(0, ("InitialR2T", "Yes"), ("ImmediateData", "No"));
        var write = client.ScsiCommandHeader(ScsiCdb.Write10(0, 8).ToArray(), 0, 4096, read: false, write: true);
        var (writeItt, writeCmdSN) = (new Bhs(write).InitiatorTaskTag, new Bhs(write).CmdSN);
        await client.SendAsync(write);
        await client.ExpectAsync(Opcode.ReadyToTransfer);

        var response = await SendTmfAsync(client, RequestHeaders.TaskManagement(client, TaskManagementFunction.AbortTask, 0, writeItt, writeCmdSN));
        Assert.Equal(TaskManagementResponse.FunctionComplete, response);

        // The aborted write never answers; the next command's response is the next PDU.
        await client.SendAsync(client.ScsiCommandHeader(ScsiCdb.TestUnitReady().ToArray(), 0, 0, false, false));
        var next = await client.ExpectAsync(Opcode.ScsiResponse);
        Assert.NotEqual(writeItt, new Bhs(next.Header).InitiatorTaskTag);
    }

    [Fact]
    public async Task AbortTask_OfACompletedTask_IsTaskDoesNotExist()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync();
        var tur = client.ScsiCommandHeader(ScsiCdb.TestUnitReady().ToArray(), 0, 0, false, false);
        await client.SendAsync(tur);
        await client.ExpectAsync(Opcode.ScsiResponse);

        var response = await SendTmfAsync(client, RequestHeaders.TaskManagement(client, TaskManagementFunction.AbortTask, 0, new Bhs(tur).InitiatorTaskTag, new Bhs(tur).CmdSN));
        Assert.Equal(TaskManagementResponse.TaskDoesNotExist, response);
    }

    [Fact]
    public async Task LunReset_OnMissingLun_IsLunDoesNotExist()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync();
        var response = await SendTmfAsync(client, RequestHeaders.TaskManagement(client, TaskManagementFunction.LogicalUnitReset, 9));
        Assert.Equal(TaskManagementResponse.LunDoesNotExist, response);
    }

    [Fact]
    public async Task LunReset_RaisesUnitAttentionOnEveryNexus()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var resetter = await target.LoginAsync();
        await using var other = await target.LoginAsync(portal: 1);

        // Both nexuses have used LUN 0.
        Assert.Equal(0, (await resetter.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512)).Status);
        Assert.Equal(0, (await other.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512)).Status);

        var response = await SendTmfAsync(resetter, RequestHeaders.TaskManagement(resetter, TaskManagementFunction.LogicalUnitReset, 0));
        Assert.Equal(TaskManagementResponse.FunctionComplete, response);

        // SAM-5: UNIT ATTENTION, 29h/03h BUS DEVICE RESET FUNCTION OCCURRED, on the other nexus.
        var attention = await other.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512);
        Assert.Equal(0x02, attention.Status);
        Assert.Equal(0x06, attention.SenseKey);
        Assert.Equal(0x29, attention.Asc);
        Assert.Equal(0x03, attention.Sense[13]);
        Assert.Equal(0, (await other.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512)).Status);

        // SAM-5 6.3.3: "every I_T nexus", the one that sent the reset included.
        var own = await resetter.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512);
        Assert.Equal(0x06, own.SenseKey);
        Assert.Equal(0x29, own.Asc);
        Assert.Equal(0, (await resetter.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512)).Status);
    }

    [Fact]
    public async Task TargetColdReset_AnswersThenDropsEveryConnectionOfTheTarget()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var resetter = await target.LoginAsync();
        await using var other = await target.LoginAsync(portal: 1);

        var response = await SendTmfAsync(resetter, RequestHeaders.TaskManagement(resetter, TaskManagementFunction.TargetColdReset, 0));
        Assert.Equal(TaskManagementResponse.FunctionComplete, response);
        Assert.Null(await resetter.ReceiveAsync());
        Assert.Null(await other.ReceiveAsync());
    }
}
