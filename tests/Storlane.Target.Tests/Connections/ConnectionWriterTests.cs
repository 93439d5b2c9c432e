using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Iscsi.Login;
using Storlane.Iscsi.Pdu;
using Storlane.Target.Connections;
using Storlane.Target.Sessions;

namespace Storlane.Target.Tests.Connections;

/// <summary>The send side on its own: what it stamps and when digests start, read back from the bytes it wrote.</summary>
public sealed class ConnectionWriterTests
{
    private readonly Pipe _pipe = new();
    private readonly ConnectionWriter _writer;
    private bool _closeRequested;

    public ConnectionWriterTests()
    {
        var tasks = new ConnectionTasks(_ => { }, new BufferBudget(1 << 20), 1 << 20);
        _writer = new ConnectionWriter(_pipe.Writer, tasks, new PduTrace(NullLogger.Instance, 1), maxQueuedBytes: 1 << 20, () => _closeRequested = true);
    }

    [Fact]
    public async Task StatSN_starts_at_the_initiators_ExpStatSN_and_only_status_PDUs_consume_one()
    {
        // RFC 7143 11.13.4: the first Login Response's StatSN starts the connection's numbering;
        // 11.19.2: a NOP-In with ITT 0xffffffff (a ping) does not advance StatSN.
        _writer.BeginNumbering(statSN: 100, new CommandWindow(initialCmdSN: 7, size: 32));
        var run = _writer.RunAsync();
        _writer.Post(Control(Opcode.TextResponse));
        var ping = Control(Opcode.NopIn);
        ping.AdvancesStatSN = false;
        _writer.Post(ping);
        _writer.Post(Control(Opcode.TextResponse));
        _writer.EndQueue();
        await run;

        var sent = await ReadAllAsync(new PduReadOptions { MaxDataSegmentLength = 8192 });
        Assert.Equal([(Opcode.TextResponse, 100u), (Opcode.NopIn, 101u), (Opcode.TextResponse, 101u)], sent.Select(p => (p.Opcode, p.StatSN)));
        Assert.All(sent, p => Assert.Equal((7u, 38u), (p.ExpCmdSN, p.MaxCmdSN)));
        Assert.Equal(0, _writer.QueuedBytes);
    }

    [Fact]
    public async Task Digests_start_with_the_PDU_after_the_final_login_response()
    {
        // RFC 7143 13.1: digests negotiated at login are used "starting with the first PDU
        // following the last Login Response PDU". The login response itself goes out without them.
        _writer.BeginNumbering(statSN: 1, new CommandWindow(initialCmdSN: 1, size: 32));
        var run = _writer.RunAsync();
        var login = Control(Opcode.LoginResponse);
        login.ApplyAfter = new OperationalParameters { HeaderDigest = true, DataDigest = true };
        _writer.Post(login);
        var nop = Control(Opcode.NopIn);
        nop.Data = [1, 2, 3, 4, 5];
        _writer.Post(nop);
        _writer.EndQueue();
        await run;
        await _writer.CompletePipeAsync();

        var result = await _pipe.Reader.ReadAsync();
        var buffer = result.Buffer;
        var header = new byte[Bhs.Length];
        Assert.True(PduReader.TryReadPdu(buffer, new PduReadOptions { MaxDataSegmentLength = 8192 }, header, out var first));
        Assert.Equal(Opcode.LoginResponse, new Bhs(header).Opcode);
        var rest = buffer.Slice(first.End);

        // 48 header + 4 header digest + 5 data + 3 pad + 4 data digest; a reader expecting digests checks both.
        Assert.Equal(Bhs.Length + 4 + 8 + 4, rest.Length);
        Assert.True(PduReader.TryReadPdu(rest, new PduReadOptions { MaxDataSegmentLength = 8192, HeaderDigest = true, DataDigest = true }, header, out var second));
        Assert.True(second.DataDigestValid);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, second.Data.ToArray());
    }

    [Fact]
    public async Task A_PDU_marked_close_after_ends_the_loop_once_written_and_nothing_after_it_is_sent()
    {
        _writer.BeginNumbering(statSN: 1, new CommandWindow(initialCmdSN: 1, size: 32));
        var logout = Control(Opcode.LogoutResponse);
        logout.CloseAfter = true;
        _writer.Post(logout);
        _writer.Post(Control(Opcode.NopIn));
        await _writer.RunAsync();

        Assert.True(_closeRequested);
        var sent = await ReadAllAsync(new PduReadOptions { MaxDataSegmentLength = 8192 });
        Assert.Equal([Opcode.LogoutResponse], sent.Select(p => p.Opcode));
        Assert.Equal(0, _writer.QueuedBytes);
    }

    private static ControlPdu Control(Opcode opcode)
    {
        var pdu = ControlPdu.Create(opcode);
        var bhs = pdu.Bhs;
        bhs.Final = true;
        bhs.InitiatorTaskTag = opcode == Opcode.NopIn ? Bhs.ReservedTag : 5;
        return pdu;
    }

    private async Task<List<(Opcode Opcode, uint StatSN, uint ExpCmdSN, uint MaxCmdSN)>> ReadAllAsync(PduReadOptions options)
    {
        await _writer.CompletePipeAsync();
        var result = await _pipe.Reader.ReadAsync();
        var buffer = result.Buffer;
        var header = new byte[Bhs.Length];
        var pdus = new List<(Opcode, uint, uint, uint)>();
        while (PduReader.TryReadPdu(buffer, options, header, out var frame))
        {
            var bhs = new Bhs(header);
            pdus.Add((bhs.Opcode, bhs.StatSN, bhs.ExpCmdSN, bhs.MaxCmdSN));
            buffer = buffer.Slice(frame.End);
        }

        Assert.True(buffer.IsEmpty);
        return pdus;
    }
}
