using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Storlane.Nvme;
using Storlane.Nvme.Tcp;
using Storlane.Protocol;

namespace Storlane.Nvme.Tests.Support;

/// <summary>A minimal NVMe/TCP host over a real socket, speaking raw PDUs so tests can also send bad ones.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    public const string HostNqn = "nqn.2014-08.org.storlane:test-host";

    private readonly TcpClient _client = new();
    private NetworkStream _stream = null!;
    private ushort _nextCommandId = 1;

    public bool HeaderDigest { get; private set; }

    public bool DataDigest { get; private set; }

    public ushort ControllerId { get; private set; }

    /// <summary>The last command <see cref="ExecuteWithDataAsync"/> ran ended in a C2HData with SUCCESS, not a CapsuleResp.</summary>
    public bool LastCompletedBySuccessFlag { get; private set; }

    public static async Task<TestHost> OpenAsync(IPEndPoint endpoint, bool headerDigest = false, bool dataDigest = false, bool initialize = true)
    {
        var host = new TestHost();
        await host._client.ConnectAsync(endpoint);
        host._stream = host._client.GetStream();
        host._stream.ReadTimeout = 10_000;
        if (initialize)
        {
            await host.InitializeAsync(headerDigest, dataDigest);
        }

        return host;
    }

    public NetworkStream Stream => _stream;

    public async Task InitializeAsync(bool headerDigest, bool dataDigest)
    {
        var icreq = new byte[128];
        icreq[0] = (byte)PduType.ICReq;
        icreq[2] = 128;
        BinaryPrimitives.WriteUInt32LittleEndian(icreq.AsSpan(4), 128);
        icreq[11] = (byte)((headerDigest ? 1 : 0) | (dataDigest ? 2 : 0));
        await _stream.WriteAsync(icreq);
        var icresp = await ReadPduAsync();
        Assert.Equal(PduType.ICResp, (PduType)icresp[0]);
        HeaderDigest = headerDigest;
        DataDigest = dataDigest;
    }

    /// <summary>Connect (admin when qid is 0) and, for the admin queue, enable the controller.</summary>
    public async Task<CompletionEntry> ConnectAsync(string subsystemNqn, ushort qid = 0, ushort controllerId = 0xFFFF, uint keepAliveMs = 0, string hostNqn = HostNqn, ushort sqsize = 31, byte cattr = 0)
    {
        var sqe = NewCommand((byte)AdminOpcode.Fabrics);
        sqe[4] = (byte)FabricsCommandType.Connect;
        sqe[46] = cattr;
        BinaryPrimitives.WriteUInt16LittleEndian(sqe.AsSpan(42), qid);
        BinaryPrimitives.WriteUInt16LittleEndian(sqe.AsSpan(44), sqsize);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(48), keepAliveMs);
        var data = new byte[1024];
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(16), controllerId);
        Encoding.UTF8.GetBytes(subsystemNqn).CopyTo(data, 256);
        Encoding.UTF8.GetBytes(hostNqn).CopyTo(data, 512);
        var completion = await ExecuteAsync(sqe, data);
        if (completion.Status.IsSuccess && qid == 0)
        {
            ControllerId = (ushort)completion.Dword0;
            var enable = await PropertySetAsync(ControllerProperties.Configuration, 1 | (6 << 16) | (4 << 20));
            Assert.True(enable.Status.IsSuccess);
        }

        return completion;
    }

    public Task<CompletionEntry> PropertySetAsync(uint offset, uint value)
    {
        var sqe = NewCommand((byte)AdminOpcode.Fabrics);
        sqe[4] = (byte)FabricsCommandType.PropertySet;
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(44), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(48), value);
        return ExecuteAsync(sqe);
    }

    public Task<CompletionEntry> PropertyGetAsync(uint offset)
    {
        var sqe = NewCommand((byte)AdminOpcode.Fabrics);
        sqe[4] = (byte)FabricsCommandType.PropertyGet;
        sqe[40] = (byte)(offset == 0 ? 1 : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(44), offset);
        return ExecuteAsync(sqe);
    }

    public byte[] NewCommand(byte opcode, uint nsid = 0)
    {
        var sqe = new byte[64];
        sqe[0] = opcode;
        sqe[1] = 0x40; // PSDT: SGL
        BinaryPrimitives.WriteUInt16LittleEndian(sqe.AsSpan(2), _nextCommandId++);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(4), nsid);
        return sqe;
    }

    /// <summary>Sends a command; host data goes in the capsule unless <paramref name="byR2T"/>.</summary>
    public async Task<CompletionEntry> ExecuteAsync(byte[] sqe, byte[]? data = null, bool byR2T = false, int expectDataLength = 0)
    {
        var (completion, _) = await ExecuteWithDataAsync(sqe, data, byR2T, expectDataLength);
        return completion;
    }

    public async Task<(CompletionEntry Completion, byte[] Data)> ExecuteWithDataAsync(byte[] sqe, byte[]? data = null, bool byR2T = false, int expectDataLength = 0)
    {
        var inCapsule = data is not null && !byR2T;
        var length = data?.Length ?? expectDataLength;
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(32), (uint)length);
        sqe[39] = inCapsule ? SubmissionEntry.SglInCapsule : SubmissionEntry.SglTransport;
        await SendCapsuleAsync(sqe, inCapsule ? data : null);
        var received = new byte[expectDataLength];
        LastCompletedBySuccessFlag = false;
        while (true)
        {
            var pdu = await ReadPduAsync();
            switch ((PduType)pdu[0])
            {
                case PduType.CapsuleResp:
                    return (CompletionEntry.Read(pdu.AsSpan(8)), received);
                case PduType.R2T:
                    {
                        var tag = BinaryPrimitives.ReadUInt16LittleEndian(pdu.AsSpan(10));
                        var offset = BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(12));
                        var r2tLength = BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(16));
                        await SendH2CDataAsync(BinaryPrimitives.ReadUInt16LittleEndian(pdu.AsSpan(8)), tag, offset, data.AsMemory((int)offset, (int)r2tLength), last: true);
                        break;
                    }

                case PduType.C2HData:
                    {
                        var offset = BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(12));
                        var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(16));
                        pdu.AsSpan(pdu[3], (int)dataLength).CopyTo(received.AsSpan((int)offset));
                        if (((PduFlags)pdu[1] & PduFlags.Success) != 0)
                        {
                            // 3.6.2.8: SUCCESS on the last C2HData stands for the CapsuleResp of a plain success.
                            LastCompletedBySuccessFlag = true;
                            var commandId = BinaryPrimitives.ReadUInt16LittleEndian(pdu.AsSpan(8));
                            return (new CompletionEntry(0, 0, 0, 0, commandId, NvmeStatus.Success), received);
                        }

                        break;
                    }

                default:
                    throw new InvalidOperationException($"unexpected PDU {(PduType)pdu[0]}");
            }
        }
    }

    public Task SendCapsuleAsync(byte[] sqe, byte[]? data) => SendPduAsync(PduType.CapsuleCmd, sqe, data, PduFlags.None);

    public Task SendH2CDataAsync(ushort commandId, ushort tag, uint offset, ReadOnlyMemory<byte> data, bool last)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(header, commandId);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), tag);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)data.Length);
        return SendPduAsync(PduType.H2CData, header, data.ToArray(), last ? PduFlags.LastPdu : PduFlags.None);
    }

    /// <summary>Builds and sends a PDU with this connection's digests: common header + <paramref name="specific"/> header bytes.</summary>
    public async Task SendPduAsync(PduType type, byte[] specific, byte[]? data, PduFlags flags)
    {
        var hlen = 8 + specific.Length;
        var hd = HeaderDigest ? 4 : 0;
        var dd = DataDigest && data is not null ? 4 : 0;
        var pdo = data is null ? 0 : hlen + hd;
        var plen = hlen + hd + (data?.Length ?? 0) + dd;
        var pdu = new byte[plen];
        pdu[0] = (byte)type;
        pdu[1] = (byte)(flags | (HeaderDigest ? PduFlags.HeaderDigest : 0) | (dd != 0 ? PduFlags.DataDigest : 0));
        pdu[2] = (byte)hlen;
        pdu[3] = (byte)pdo;
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(4), (uint)plen);
        specific.CopyTo(pdu, 8);
        if (hd != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(hlen), Crc32C.Compute(pdu.AsSpan(0, hlen)));
        }

        if (data is not null)
        {
            data.CopyTo(pdu, pdo);
            if (dd != 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(pdo + data.Length), Crc32C.Compute(data));
            }
        }

        await _stream.WriteAsync(pdu);
    }

    public Task SendRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>Reads one whole PDU, checking its digests.</summary>
    public async Task<byte[]> ReadPduAsync()
    {
        var common = new byte[8];
        await _stream.ReadExactlyAsync(common);
        var plen = BinaryPrimitives.ReadUInt32LittleEndian(common.AsSpan(4));
        var pdu = new byte[plen];
        common.CopyTo(pdu, 0);
        await _stream.ReadExactlyAsync(pdu.AsMemory(8));
        var flags = (PduFlags)pdu[1];
        var hlen = pdu[2];
        if ((flags & PduFlags.HeaderDigest) != 0)
        {
            Assert.Equal(Crc32C.Compute(pdu.AsSpan(0, hlen)), BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(hlen)));
        }

        if ((flags & PduFlags.DataDigest) != 0)
        {
            var data = pdu.AsSpan(pdu[3], (int)plen - pdu[3] - 4);
            Assert.Equal(Crc32C.Compute(data), BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan((int)plen - 4)));
        }

        return pdu;
    }

    /// <summary>True when the target closed the connection (read returns 0 or resets) within the timeout.</summary>
    public async Task<bool> ClosedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                if (await _stream.ReadAsync(buffer, cts.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async Task<byte[]> IdentifyAsync(byte cns, uint nsid = 0)
    {
        var sqe = NewCommand((byte)AdminOpcode.Identify, nsid);
        sqe[40] = cns;
        var (completion, data) = await ExecuteWithDataAsync(sqe, expectDataLength: 4096);
        Assert.True(completion.Status.IsSuccess, completion.Status.ToString());
        return data;
    }

    public async Task<(CompletionEntry Completion, byte[] Data)> GetLogPageAsync(byte lid, int length, uint offset = 0)
    {
        var sqe = NewCommand((byte)AdminOpcode.GetLogPage, 0xFFFF_FFFF);
        var dwords = (uint)(length / 4) - 1;
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(40), lid | ((dwords & 0xFFFF) << 16));
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(44), dwords >> 16);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(48), offset);
        return await ExecuteWithDataAsync(sqe, expectDataLength: length);
    }

    public byte[] IoCommand(IoOpcode opcode, uint nsid, ulong lba, int blocks)
    {
        var sqe = NewCommand((byte)opcode, nsid);
        BinaryPrimitives.WriteUInt64LittleEndian(sqe.AsSpan(40), lba);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(48), (uint)(blocks - 1));
        return sqe;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await Task.CompletedTask;
    }
}
