using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Target.Sessions;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>RFC 7143 4.2.2.1 command numbering and acknowledging.</summary>
public class CommandWindowTests
{
    [Fact]
    public void CommandOutsideWindow_IsNotAccepted()
    {
        var window = new CommandWindow(10, 4);
        Assert.False(window.TryAccept(9, immediate: false, consumesTask: true));
        Assert.False(window.TryAccept(14, immediate: false, consumesTask: true));
        Assert.True(window.TryAccept(10, immediate: false, consumesTask: true));
        Assert.Equal(11u, window.ExpCmdSN);
    }

    [Fact]
    public void DuplicateCommand_IsNotAccepted()
    {
        var window = new CommandWindow(10, 4);
        Assert.True(window.TryAccept(10, immediate: false, consumesTask: false));
        Assert.False(window.TryAccept(10, immediate: false, consumesTask: false));
    }

    [Fact]
    public void ImmediateCommand_DoesNotAdvanceExpCmdSN()
    {
        var window = new CommandWindow(10, 4);
        Assert.True(window.TryAccept(10, immediate: true, consumesTask: false));
        Assert.Equal(10u, window.ExpCmdSN);
    }

    [Fact]
    public void FullWindow_ClosesUntilATaskFinishes()
    {
        var window = new CommandWindow(0, 2);
        Assert.True(window.TryAccept(0, false, true));
        Assert.True(window.TryAccept(1, false, true));
        var (exp, max) = window.Snapshot();

        // Two tasks outstanding in a window of two: MaxCmdSN = ExpCmdSN - 1 means closed.
        Assert.Equal(2u, exp);
        Assert.Equal(1u, max);
        Assert.False(window.TryAccept(2, false, true));
        window.TaskFinished();
        Assert.Equal(2u, window.Snapshot().MaxCmdSN);
        Assert.True(window.TryAccept(2, false, true));
    }

    [Fact]
    public void WindowAcrossTheWrap_UsesSerialArithmetic()
    {
        var window = new CommandWindow(0xFFFFFFFF, 4);
        Assert.True(window.TryAccept(0xFFFFFFFF, false, false));
        Assert.True(window.TryAccept(0, false, false));
        Assert.Equal(1u, window.ExpCmdSN);
    }

    [Fact]
    public async Task ScsiCommand_CmdSnOutsideWindow_IsDropped()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync();

        // A command far ahead of MaxCmdSN gets no answer; the next in-window one does.
        var saved = client.CmdSN;
        client.CmdSN = saved + 100_000;
        await client.SendAsync(client.ScsiCommandHeader(ScsiCdb.TestUnitReady().ToArray(), 0, 0, false, false));
        client.CmdSN = saved;
        var header = client.ScsiCommandHeader(ScsiCdb.TestUnitReady().ToArray(), 0, 0, false, false);
        await client.SendAsync(header);
        var response = await client.ExpectAsync(Opcode.ScsiResponse);
        Assert.Equal(new Bhs(header).InitiatorTaskTag, new Bhs(response.Header).InitiatorTaskTag);
        Assert.Equal(saved + 1, new Bhs(response.Header).ExpCmdSN);
    }

    [Fact]
    public async Task Responses_CarryConsecutiveStatSN()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var client = await target.LoginAsync();
        var first = await client.ReadAsync(ScsiCdb.Inquiry(null, 96).ToArray(), 0, 96);
        Assert.Equal(0, first.Status);
        await client.SendAsync(client.ScsiCommandHeader(ScsiCdb.TestUnitReady().ToArray(), 0, 0, false, false));
        var expected = client.ExpStatSN;
        var second = await client.ExpectAsync(Opcode.ScsiResponse);
        Assert.Equal(expected, new Bhs(second.Header).StatSN);
    }
}
