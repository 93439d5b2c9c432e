using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Storage;
using Storlane.Storage.Fault;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>
/// "Everything a client can make us hold (connections, text, tasks, queued replies, memory) is
/// bounded": each limit of <see cref="TargetLimits"/> is reached by a client that pushes past it,
/// and the target refuses the excess the way the protocol says, while other clients keep working.
/// </summary>
public sealed class ResourceLimitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TextContinuations_PastMaxTextBytes_CloseThatConnectionOnly()
    {
        await using var target = await LoopbackTarget.StartAsync(o => o.Limits.MaxTextBytes = 16 * 1024);
        await using var bystander = await target.LoginAsync();
        await using var offender = await target.LoginAsync();

        // C = 1 Text Requests, each an incomplete piece of one long text (RFC 7143 11.10.2).
        var piece = Encoding.ASCII.GetBytes(new string('a', 4000));
        var closed = false;
        for (var i = 0; i < 8 && !closed; i++)
        {
            await offender.SendAsync(TextRequestHeader(offender, continues: true), piece);
            var answer = await offender.ReceiveAsync(Patience);
            closed = answer is null || answer.Opcode == Opcode.Reject;
        }

        Assert.True(closed, "the target kept gathering text past max-text-bytes");
        await ConnectionRobustnessTests.AssertClosedAsync(offender);
        Assert.Equal(0, (await bystander.ReadAsync(ScsiCdb.Inquiry(null, 96).ToArray(), 0, 96)).Status);
    }

    [Fact]
    public async Task ImmediateCommands_PastWindowPlusAllowance_AreRejectedAsTooManyImmediate()
    {
        var device = new FaultInjectingBlockDevice(new MemoryBlockDevice(BlockGeometry.FromSize(16 << 20, 512, 512)));
        device.Hang(FaultOperations.Read);
        await using var target = await LoopbackTarget.StartAsync(o =>
        {
            o.CommandWindow = 4;
            o.Limits.ImmediateCommands = 2;
            UseDevice(o, device);
        });
        await using var client = await target.LoginAsync();

        // Six may be outstanding (window 4 + 2 immediate); the seventh and eighth are refused.
        for (var i = 0; i < 8; i++)
        {
            await client.SendAsync(client.ScsiCommandHeader(ScsiCdb.Read10((uint)i, 1).ToArray(), 0, 512, read: true, write: false, immediate: true));
        }

        await device.WaitUntilHungAsync(6).WaitAsync(Patience);
        for (var i = 0; i < 2; i++)
        {
            var reject = await client.ExpectAsync(Opcode.Reject);
            Assert.Equal((byte)RejectReason.ImmediateCommandReject, new Bhs(reject.Header).Byte2);
        }

        Assert.Equal(6, device.HungNow);
        device.Clear();
        await ReceiveStatusesAsync(client, 6);
    }

    [Fact]
    public async Task Buffers_PastPerConnectionLimit_AnswerTaskSetFull_AndFreeTheirShareAfterwards()
    {
        var device = new FaultInjectingBlockDevice(new MemoryBlockDevice(BlockGeometry.FromSize(16 << 20, 512, 512)));
        device.Hang(FaultOperations.Read);
        await using var target = await LoopbackTarget.StartAsync(o =>
        {
            o.Limits.MaxBufferBytesPerConnection = 1 << 20;
            UseDevice(o, device);
        });
        await using var client = await target.LoginAsync();

        // Two 512 KiB READs fit in 1 MiB; the third finds no room.
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(client.ScsiCommandHeader(ScsiCdb.Read10((uint)(i * 1024), 1024).ToArray(), 0, 512 * 1024, read: true, write: false));
        }

        var full = await client.ExpectAsync(Opcode.ScsiResponse);
        Assert.Equal((byte)ScsiStatus.TaskSetFull, new Bhs(full.Header).Byte3);
        await device.WaitUntilHungAsync(2).WaitAsync(Patience);
        Assert.Equal(1 << 20, client.Connection.Tasks.BufferBytes);

        device.Clear();
        await ReceiveStatusesAsync(client, 2);
        var result = await client.ReadAsync(ScsiCdb.Read10(0, 8).ToArray(), 0, 4096);
        Assert.Equal(0, result.Status);
        await Eventually.TrueAsync(() => client.Connection.Tasks.BufferBytes == 0 && target.Server.BufferBytesHeld == 0);
    }

    [Fact]
    public async Task BufferBudget_Exhausted_StillRunsEachConnectionsFirstCommand()
    {
        var device = new FaultInjectingBlockDevice(new MemoryBlockDevice(BlockGeometry.FromSize(16 << 20, 512, 512)));
        await using var target = await LoopbackTarget.StartAsync(o =>
        {
            o.Limits.BufferBudgetBytes = 1 << 20;
            UseDevice(o, device);
        });
        await using var greedy = await target.LoginAsync();
        await using var modest = await target.LoginAsync();
        device.Hang(FaultOperations.Read, firstLba: 0, blockCount: 8192);

        // The greedy connection takes the whole budget with two hung 512 KiB READs.
        for (var i = 0; i < 2; i++)
        {
            await greedy.SendAsync(greedy.ScsiCommandHeader(ScsiCdb.Read10((uint)(i * 1024), 1024).ToArray(), 0, 512 * 1024, read: true, write: false));
        }

        await device.WaitUntilHungAsync(2).WaitAsync(Patience);
        Assert.Equal(1 << 20, target.Server.BufferBytesHeld);

        // The modest one still reads (its first command is always granted) ...
        var read = await modest.ReadAsync(ScsiCdb.Read10(20000, 8).ToArray(), 0, 4096);
        Assert.Equal(0, read.Status);

        // ... and a third greedy READ finds the budget spent.
        var third = await greedy.ReadAsync(ScsiCdb.Read10(9000, 8).ToArray(), 0, 4096);
        Assert.Equal((byte)ScsiStatus.TaskSetFull, third.Status);
        device.Clear();
    }

    [Fact]
    public async Task RepliesNotRead_StopTheTargetReading_AtTheQueueLimit()
    {
        const int limit = 256 * 1024;
        await using var target = await LoopbackTarget.StartAsync(o => o.Limits.MaxQueuedBytesPerConnection = limit);
        await using var client = await target.LoginAsync();

        // 400 pings of 8 KiB echo 3.2 MB; the client reads none of the answers.
        var ping = new byte[8192];
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 400; i++)
            {
                await client.SendAsync(RequestHeaders.NopOut(client), ping);
            }
        });

        await Eventually.TrueAsync(() => client.Connection.Writer.QueuedBytes > limit);
        await Task.Delay(500);
        Assert.False(sending.IsCompleted, "the target kept reading requests whose replies pile up unread");
        Assert.InRange(client.Connection.Writer.QueuedBytes, limit, limit + ping.Length + 48);

        // Once the initiator reads again, everything it asked for arrives.
        for (var i = 0; i < 400; i++)
        {
            var echo = await client.ExpectAsync(Opcode.NopIn);
            Assert.Equal(ping.Length, echo.Data.Length);
        }

        await sending.WaitAsync(Patience);
    }

    [Fact]
    public async Task RequestsSentJustBeforeAClose_AreAllAnswered_ThoughTheTargetPausedBetweenThem()
    {
        // A queue limit of one byte pauses the receive loop after every PDU.
        await using var target = await LoopbackTarget.StartAsync(o => o.Limits.MaxQueuedBytesPerConnection = 1);
        var client = await target.LoginAsync();
        var stream = new List<byte>();
        for (var i = 0; i < 8; i++)
        {
            var header = RequestHeaders.NopOut(client);
            header[6] = 4096 >> 8; // DataSegmentLength (bytes 5-7): PduClient.SendAsync would set it
            stream.AddRange(header);
            stream.AddRange(new byte[4096]);
        }

        stream.AddRange(SessionTests.CloseSessionLogout(client));
        await client.SendRawAsync([.. stream]);
        await client.CloseAsync(); // the initiator's FIN follows its last request at once

        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(4096, (await client.ExpectAsync(Opcode.NopIn)).Data.Length);
        }

        await client.ExpectAsync(Opcode.LogoutResponse);
        await client.Connection.Completion.WaitAsync(Patience);
    }

    [Fact]
    public async Task Abort_OfAConnectionWhoseRepliesAreNotRead_StillCloses()
    {
        await using var target = await LoopbackTarget.StartAsync();
        var client = await target.LoginAsync();
        for (var i = 0; i < 16; i++)
        {
            await client.SendAsync(RequestHeaders.NopOut(client), new byte[8192]);
        }

        await Eventually.TrueAsync(() => client.Connection.Writer.QueuedBytes > 0);
        client.Connection.Abort("test: abort a connection with a stuck writer");
        await client.Connection.Completion.WaitAsync(Patience);
    }

    [Fact]
    public async Task Login_PastMaxSessionsPerTarget_IsOutOfResources_UntilOneLeaves()
    {
        await using var target = await LoopbackTarget.StartAsync(o => o.Limits.MaxSessionsPerTarget = 2);
        await using var first = await target.LoginAsync();
        var second = await target.LoginAsync();

        await using var third = PduClient.Connect(target.Server);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => third.LoginAsync(TargetLogin.Initiator, LoopbackTarget.DefaultName));
        Assert.Contains(nameof(LoginStatus.OutOfResources), error.Message, StringComparison.Ordinal);

        // Discovery sessions do not count against a target's sessions.
        await using var discovery = PduClient.Connect(target.Server);
        await discovery.LoginAsync(TargetLogin.Initiator, null);

        await second.DisposeAsync();
        await Eventually.TrueAsync(() => target.Server.SessionCount == 2);
        await using var fourth = await target.LoginAsync();
        Assert.Equal(0, (await fourth.ReadAsync(ScsiCdb.Inquiry(null, 96).ToArray(), 0, 96)).Status);
    }

    [Fact]
    public async Task Connections_PastPerAddressLimit_AreRefused_WhileOtherAddressesConnect()
    {
        await using var target = await LoopbackTarget.StartAsync(o => o.Limits.MaxConnectionsPerAddress = 3);
        var portal = target.Server.BoundEndpoints[0];
        var admitted = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                admitted.Add(await ConnectAsync(portal, "127.0.0.1"));
            }

            await Eventually.TrueAsync(() => target.Server.OpenConnections == 3);
            Assert.True(await RefusedAsync(portal, "127.0.0.1"), "a fourth connection from one address was kept");

            using var other = await ConnectAsync(portal, "127.0.0.2");
            Assert.False(await ClosedByPeerAsync(other, TimeSpan.FromMilliseconds(500)), "another address was refused too");

            // A freed slot is available again.
            admitted[0].Dispose();
            await Eventually.TrueAsync(() => target.Server.OpenConnections == 3);
            using var again = await ConnectAsync(portal, "127.0.0.1");
            Assert.False(await ClosedByPeerAsync(again, TimeSpan.FromMilliseconds(500)), "the freed slot was not given back");
        }
        finally
        {
            foreach (var socket in admitted)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task Connection_ThatNeverLogsIn_IsClosedAtTheLoginTimeout()
    {
        var clock = new FakeTimeProvider();
        await using var target = await LoopbackTarget.StartAsync(o => o.Limits.LoginTimeoutSeconds = 1, time: clock);
        using var idle = await ConnectAsync(target.Server.BoundEndpoints[0], "127.0.0.1");

        var closed = ClosedByPeerAsync(idle, Patience);
        var waited = await clock.AdvanceUntilAsync(closed, TimeSpan.FromSeconds(1));
        Assert.True(await closed, "an idle, never-logged-in connection was kept");
        Assert.True(waited > TimeSpan.FromSeconds(1), $"closed after {waited}, within the 1 s login timeout");
        await Eventually.TrueAsync(() => target.Server.OpenConnections == 0);
    }

    [Fact]
    public async Task Pdu_StoppedHalfway_IsClosedAtTheStallTimeout_OthersServe()
    {
        var clock = new FakeTimeProvider();
        await using var target = await LoopbackTarget.StartAsync(o => o.Limits.PduStallTimeoutSeconds = 1, time: clock);
        await using var bystander = await target.LoginAsync();
        await using var offender = await target.LoginAsync();

        await offender.SendRawAsync(new byte[20]); // 20 of a header's 48 bytes, then nothing
        var waited = await clock.AdvanceUntilAsync(offender.Connection.Completion, TimeSpan.FromSeconds(1));
        Assert.True(waited > TimeSpan.FromSeconds(1), $"closed after {waited}, within the 1 s stall timeout");

        Assert.Equal(0, (await bystander.ReadAsync(ScsiCdb.Inquiry(null, 96).ToArray(), 0, 96)).Status);
    }

    /// <summary>Receives PDUs until <paramref name="count"/> commands have ended with GOOD status.</summary>
    private static async Task ReceiveStatusesAsync(PduClient client, int count)
    {
        while (count > 0)
        {
            var pdu = await client.ReceiveAsync(Patience) ?? throw new InvalidOperationException("connection closed");
            var bhs = new Bhs(pdu.Header);
            if (pdu.Opcode == Opcode.ScsiResponse || (pdu.Opcode == Opcode.DataIn && (bhs.Flags & 1) != 0))
            {
                Assert.Equal(0, bhs.Byte3);
                count--;
            }
        }
    }

    private static void UseDevice(TargetServerOptions options, IBlockDevice device)
    {
        var luns = options.Targets[0].Luns;
        luns.Clear();
        luns.Add(new LunOptions { Lun = 0, Backend = LunBackend.Memory, Device = device, SizeBytes = device.Geometry.SizeInBytes });
    }

    private static byte[] TextRequestHeader(PduClient client, bool continues)
    {
        var header = new byte[Bhs.Length];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.TextRequest, immediate: true);
        bhs.Final = !continues;
        bhs.Continue = continues;
        bhs.InitiatorTaskTag = 0x7000;
        bhs.TargetTransferTag = Bhs.ReservedTag;
        bhs.CmdSN = client.CmdSN;
        bhs.ExpStatSN = client.ExpStatSN;
        return header;
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint portal, string source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            await socket.ConnectAsync(portal);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True when the target resets the connection as it is made, or closes it soon after.</summary>
    private static async Task<bool> RefusedAsync(IPEndPoint portal, string source)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(portal, source);
        }
        catch (SocketException)
        {
            return true;
        }

        using (socket)
        {
            return await ClosedByPeerAsync(socket);
        }
    }

    /// <summary>True when the target closed or reset the connection within <paramref name="within"/>.</summary>
    private static async Task<bool> ClosedByPeerAsync(Socket socket, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? Patience);
        try
        {
            return await socket.ReceiveAsync(new byte[1], SocketFlags.None, timeout.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
