using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;

namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// An initiator that logs in properly over a real socket and then misbehaves on purpose: it sends
/// commands and pings and never reads a reply. Sends give up after a short timeout, since a target
/// that applies back-pressure stops reading them; that is the behaviour under test, not a failure.
/// </summary>
internal sealed class HostileInitiator : IAsyncDisposable
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(2);
    private static long _nextIsid = 0x400002260000;
    private readonly Socket _socket;
    private readonly byte[] _header = new byte[Bhs.Length];
    private uint _cmdSN = 1;
    private uint _itt = 1;
    private bool _stalled;

    private HostileInitiator(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>Bytes the target took from this initiator (requests it read before it stopped reading).</summary>
    public long BytesSent { get; private set; }

    /// <summary>Connects and logs in to <paramref name="target"/> in one request (operational stage straight to full feature phase, no security negotiation).</summary>
    public static async Task<HostileInitiator> LoginAsync(IPEndPoint portal, string target, string initiator)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(portal);
            var client = new HostileInitiator(socket);
            await client.SendLoginAsync(target, initiator);
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>In-window (or immediate) READ(10)s of <paramref name="blocks"/> 512-byte blocks each; the Data-In is never read.</summary>
    public async Task SendReadsAsync(int count, ushort blocks, bool immediate, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            var bhs = Begin(Opcode.ScsiCommand, immediate);
            bhs.Flags = 0x80 | 0x40 | 1; // F, R, SIMPLE
            bhs.ExpectedDataTransferLength = (uint)blocks * 512;
            var cdb = bhs.Cdb;
            cdb.Clear();
            cdb[0] = 0x28;
            BinaryPrimitives.WriteUInt32BigEndian(cdb[2..], (uint)(i * blocks % 100_000));
            BinaryPrimitives.WriteUInt16BigEndian(cdb[7..], blocks);
            if (!immediate)
            {
                _cmdSN++;
            }

            if (!await SendAsync(ReadOnlyMemory<byte>.Empty, cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>NOP-Out pings carrying <paramref name="bytes"/> each, whose echoes are never read.</summary>
    public async Task SendPingsAsync(int count, int bytes, CancellationToken cancellationToken)
    {
        var data = new byte[bytes];
        for (var i = 0; i < count; i++)
        {
            var bhs = Begin(Opcode.NopOut, immediate: true);
            bhs.Final = true;
            bhs.TargetTransferTag = Bhs.ReservedTag;
            if (!await SendAsync(data, cancellationToken))
            {
                return;
            }
        }
    }

    private Bhs Begin(Opcode opcode, bool immediate)
    {
        var bhs = new Bhs(_header);
        bhs.Initialize(opcode, immediate);
        bhs.InitiatorTaskTag = _itt++;
        bhs.CmdSN = _cmdSN;
        return bhs;
    }

    private async Task SendLoginAsync(string target, string initiator)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in new[]
        {
            ("InitiatorName", initiator), ("TargetName", target), ("SessionType", "Normal"),
            ("HeaderDigest", "None"), ("DataDigest", "None"), ("MaxRecvDataSegmentLength", "262144"), ("ImmediateData", "Yes"),
        })
        {
            text.Append(key).Append('=').Append(value).Append('\0');
        }

        var bhs = new Bhs(_header);
        bhs.Initialize(Opcode.LoginRequest, immediate: true);
        bhs.Transit = true;
        bhs.CurrentStage = LoginStage.LoginOperationalNegotiation;
        bhs.NextStage = LoginStage.FullFeaturePhase;
        bhs.Isid = (ulong)Interlocked.Increment(ref _nextIsid);
        bhs.InitiatorTaskTag = _itt++;
        bhs.CmdSN = _cmdSN;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        if (!await SendAsync(Encoding.ASCII.GetBytes(text.ToString()), timeout.Token))
        {
            throw new IOException("could not send the login request");
        }

        // The Login Response: header, then its padded text; the status is bytes 36-37.
        var response = new byte[Bhs.Length];
        var read = 0;
        while (read < Bhs.Length)
        {
            read += await _socket.ReceiveAsync(response.AsMemory(read), SocketFlags.None, timeout.Token) is var n and > 0 ? n : throw new IOException("closed during login");
        }

        var status = new Bhs(response).LoginStatus;
        if (status != LoginStatus.Success)
        {
            throw new IOException($"login refused: {status}");
        }

        var dataLength = (response[5] << 16) | (response[6] << 8) | response[7];
        var rest = new byte[(dataLength + 3) & ~3];
        read = 0;
        while (read < rest.Length)
        {
            read += await _socket.ReceiveAsync(rest.AsMemory(read), SocketFlags.None, timeout.Token) is var n and > 0 ? n : throw new IOException("closed during login");
        }
    }

    /// <returns>False when the target stopped taking bytes (back-pressure) or closed the connection.</returns>
    private async Task<bool> SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_stalled)
        {
            return false; // a PDU was cut off mid-way: nothing after it would frame
        }

        var pad = (4 - (data.Length & 3)) & 3;
        var pdu = new byte[Bhs.Length + data.Length + pad];
        _header.CopyTo(pdu, 0);
        pdu[5] = (byte)(data.Length >> 16);
        pdu[6] = (byte)(data.Length >> 8);
        pdu[7] = (byte)data.Length;
        data.CopyTo(pdu.AsMemory(Bhs.Length));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SendTimeout);
        try
        {
            var sent = 0;
            while (sent < pdu.Length)
            {
                sent += await _socket.SendAsync(pdu.AsMemory(sent), SocketFlags.None, timeout.Token);
            }

            BytesSent += pdu.Length;
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            _stalled = true;
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
