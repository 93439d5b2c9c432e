using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Target;
using Storlane.Target.Connections;

namespace Storlane.Target.Tests.Support;

/// <summary>
/// A minimal initiator that speaks raw PDUs to a target connection over in-memory pipes, so tests
/// can send exactly the bytes a rule is about (and malformed ones) and read every PDU back.
/// </summary>
internal sealed class PduClient : IAsyncDisposable
{
    private readonly Pipe _toTarget = new();
    private readonly Pipe _fromTarget = new();
    private readonly byte[] _header = new byte[Bhs.Length];
    private PduReadOptions _readOptions = new() { MaxDataSegmentLength = 1 << 24 };

    private PduClient(IscsiTargetServer server, int portal)
    {
        Connection = server.AttachConnection(new DuplexPipe(_toTarget.Reader, _fromTarget.Writer), new NullDisposable(), portal);
    }

    public IscsiConnection Connection { get; }

    private static long _nextIsid = 0x400001370000;

    /// <summary>Each client is its own initiator port unless a test reuses an ISID on purpose.</summary>
    public ulong Isid { get; set; } = (ulong)Interlocked.Increment(ref _nextIsid);

    public uint CmdSN { get; set; } = 1;

    public uint ExpStatSN { get; set; }

    public uint NextItt { get; set; } = 1;

    public ushort Tsih { get; private set; }

    public bool HeaderDigest { get; set; }

    public bool DataDigest { get; set; }

    public static PduClient Connect(IscsiTargetServer server, int portal = 0) => new(server, portal);

    public async Task SendAsync(byte[] header, ReadOnlyMemory<byte> data = default)
    {
        var writer = _toTarget.Writer;
        var span = PduWriter.Begin(writer, data.Length, HeaderDigest, DataDigest);
        header.AsSpan(0, Bhs.Length).CopyTo(span);
        PduWriter.Finish(writer, span, data.Span, HeaderDigest, DataDigest);
        await writer.FlushAsync();
    }

    /// <summary>Writes raw bytes, for malformed-input tests.</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        await _toTarget.Writer.WriteAsync(bytes);
    }

    public async Task CloseAsync() => await _toTarget.Writer.CompleteAsync();

    /// <summary>Reads the next PDU; null when the target closed the connection.</summary>
    public async Task<ReceivedPdu?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var reader = _fromTarget.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(cts.Token);
            var buffer = result.Buffer;
            if (PduReader.TryReadPdu(buffer, _readOptions, _header, out var frame))
            {
                var pdu = new ReceivedPdu((byte[])_header.Clone(), frame.Data.ToArray());
                reader.AdvanceTo(frame.End);
                var bhs = new Bhs(pdu.Header);
                if (bhs.Opcode is Opcode.ScsiResponse or Opcode.LoginResponse or Opcode.TextResponse or Opcode.LogoutResponse
                    or Opcode.TaskManagementResponse or Opcode.Reject || (bhs.Opcode == Opcode.DataIn && (bhs.Flags & 1) != 0)
                    || (bhs.Opcode == Opcode.NopIn && bhs.InitiatorTaskTag != Bhs.ReservedTag))
                {
                    ExpStatSN = bhs.StatSN + 1;
                }

                return pdu;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Receives PDUs until one with the given opcode arrives, skipping NOP-In pings.</summary>
    public async Task<ReceivedPdu> ExpectAsync(Opcode opcode)
    {
        while (true)
        {
            var pdu = await ReceiveAsync() ?? throw new InvalidOperationException($"connection closed while waiting for {opcode}");
            if (pdu.Opcode == opcode)
            {
                return pdu;
            }

            if (pdu.Opcode != Opcode.NopIn)
            {
                throw new InvalidOperationException($"expected {opcode}, got {pdu.Opcode}");
            }
        }
    }

    /// <summary>A one-request login straight to full feature phase, with AuthMethod=None.</summary>
    public async Task<Dictionary<string, string>> LoginAsync(string initiator, string? target, params (string Key, string Value)[] keys)
    {
        var text = new List<(string, string)> { ("InitiatorName", initiator) };
        text.Add(target is null ? ("SessionType", "Discovery") : ("TargetName", target));
        if (target is not null)
        {
            text.Add(("SessionType", "Normal"));
        }

        text.AddRange(keys);
        var response = await LoginRequestAsync(LoginStage.LoginOperationalNegotiation, LoginStage.FullFeaturePhase, transit: true, text);
        var bhs = new Bhs(response.Header);
        if (bhs.LoginStatus != LoginStatus.Success)
        {
            throw new InvalidOperationException($"login failed: {bhs.LoginStatus}");
        }

        var answered = response.Keys();
        if (!bhs.Transit || bhs.NextStage != LoginStage.FullFeaturePhase)
        {
            throw new InvalidOperationException("target did not move to full feature phase");
        }

        Tsih = bhs.Tsih;
        HeaderDigest = answered.GetValueOrDefault("HeaderDigest") == "CRC32C";
        DataDigest = answered.GetValueOrDefault("DataDigest") == "CRC32C";
        _readOptions.HeaderDigest = HeaderDigest;
        _readOptions.DataDigest = DataDigest;
        return answered;
    }

    public async Task<ReceivedPdu> LoginRequestAsync(LoginStage current, LoginStage next, bool transit, IEnumerable<(string Key, string Value)> keys, ushort tsih = 0)
    {
        var header = new byte[Bhs.Length];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.LoginRequest, immediate: true);
        bhs.Transit = transit;
        bhs.CurrentStage = current;
        bhs.NextStage = transit ? next : 0;
        bhs.Isid = Isid;
        bhs.Tsih = tsih;
        bhs.InitiatorTaskTag = NextItt++;
        bhs.CmdSN = CmdSN;
        bhs.ExpStatSN = ExpStatSN;
        await SendAsync(header, EncodeKeys(keys));
        return await ExpectAsync(Opcode.LoginResponse);
    }

    /// <summary>Sends a Text Request "SendTargets=All" (RFC 7143 Appendix C) and returns the answer's text.</summary>
    public async Task<string> SendTargetsAsync()
    {
        var header = new byte[Bhs.Length];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.TextRequest, immediate: true);
        bhs.Final = true;
        bhs.InitiatorTaskTag = NextItt++;
        bhs.TargetTransferTag = Bhs.ReservedTag;
        bhs.CmdSN = CmdSN;
        await SendAsync(header, EncodeKeys([("SendTargets", "All")]));
        return Encoding.UTF8.GetString((await ExpectAsync(Opcode.TextResponse)).Data);
    }

    public static byte[] EncodeKeys(IEnumerable<(string Key, string Value)> keys)
    {
        var builder = new StringBuilder();
        foreach (var (key, value) in keys)
        {
            builder.Append(key).Append('=').Append(value).Append('\0');
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Builds a SCSI Command header (RFC 7143 11.3).</summary>
    public byte[] ScsiCommandHeader(byte[] cdb, ulong lun, uint expectedLength, bool read, bool write, bool final = true, bool immediate = false)
    {
        var header = new byte[Bhs.Length];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.ScsiCommand, immediate);
        bhs.Flags = (byte)((final ? 0x80 : 0) | (read ? 0x40 : 0) | (write ? 0x20 : 0) | 1);
        bhs.LunField = Lun.Encode(lun);
        bhs.InitiatorTaskTag = NextItt++;
        bhs.ExpectedDataTransferLength = expectedLength;
        bhs.CmdSN = CmdSN;
        if (!immediate)
        {
            CmdSN++;
        }

        bhs.ExpStatSN = ExpStatSN;
        cdb.CopyTo(bhs.Cdb);
        return header;
    }

    /// <summary>Runs a read-type command and gathers Data-In until the status arrives.</summary>
    public async Task<CommandResult> ReadAsync(byte[] cdb, ulong lun, uint length)
    {
        await SendAsync(ScsiCommandHeader(cdb, lun, length, read: true, write: false));
        return await CollectAsync(length);
    }

    /// <summary>Runs a write-type command, answering R2Ts and sending immediate data when allowed.</summary>
    public async Task<CommandResult> WriteAsync(byte[] cdb, ulong lun, byte[] data, int immediateLength, int maxSegment = 8192)
    {
        var header = ScsiCommandHeader(cdb, lun, (uint)data.Length, read: false, write: true, final: true);
        var itt = new Bhs(header).InitiatorTaskTag;
        await SendAsync(header, data.AsMemory(0, immediateLength));
        while (true)
        {
            var pdu = await ReceiveAsync() ?? throw new InvalidOperationException("connection closed during write");
            if (pdu.Opcode == Opcode.ReadyToTransfer)
            {
                var r2t = new Bhs(pdu.Header);
                await SendDataOutAsync(itt, r2t.TargetTransferTag, data, (int)r2t.BufferOffset, (int)r2t.DesiredDataTransferLength, maxSegment);
                continue;
            }

            if (pdu.Opcode == Opcode.ScsiResponse)
            {
                return CommandResult.From(pdu, []);
            }

            if (pdu.Opcode != Opcode.NopIn)
            {
                throw new InvalidOperationException($"unexpected {pdu.Opcode} during write");
            }
        }
    }

    public async Task SendDataOutAsync(uint itt, uint ttt, byte[] data, int offset, int length, int maxSegment)
    {
        var dataSN = 0u;
        for (var sent = 0; sent < length; sent += maxSegment)
        {
            var chunk = Math.Min(maxSegment, length - sent);
            var header = new byte[Bhs.Length];
            var bhs = new Bhs(header);
            bhs.Initialize(Opcode.DataOut);
            bhs.Final = sent + chunk == length;
            bhs.InitiatorTaskTag = itt;
            bhs.TargetTransferTag = ttt;
            bhs.ExpStatSN = ExpStatSN;
            bhs.DataSN = dataSN++;
            bhs.BufferOffset = (uint)(offset + sent);
            await SendAsync(header, data.AsMemory(offset + sent, chunk));
        }
    }

    private async Task<CommandResult> CollectAsync(uint length)
    {
        var data = new byte[length];
        var received = 0;
        while (true)
        {
            var pdu = await ReceiveAsync() ?? throw new InvalidOperationException("connection closed during read");
            var bhs = new Bhs(pdu.Header);
            if (pdu.Opcode == Opcode.DataIn)
            {
                pdu.Data.CopyTo(data, (int)bhs.BufferOffset);
                received += pdu.Data.Length;
                if ((bhs.Flags & 1) != 0)
                {
                    return CommandResult.From(pdu, data.AsSpan(0, received).ToArray());
                }

                continue;
            }

            if (pdu.Opcode == Opcode.ScsiResponse)
            {
                return CommandResult.From(pdu, data.AsSpan(0, received).ToArray());
            }

            if (pdu.Opcode != Opcode.NopIn)
            {
                throw new InvalidOperationException($"unexpected {pdu.Opcode} during read");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _toTarget.Writer.CompleteAsync();
        Connection.Abort("test done");
        await Connection.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class NullDisposable : IDisposable
    {
        public void Dispose()
        {
        }
    }
}

internal sealed record ReceivedPdu(byte[] Header, byte[] Data)
{
    public Opcode Opcode => new Bhs(Header).Opcode;

    public Dictionary<string, string> Keys()
    {
        var result = new Dictionary<string, string>();
        foreach (var item in Encoding.UTF8.GetString(Data).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            result[item[..eq]] = item[(eq + 1)..];
        }

        return result;
    }
}

internal sealed record CommandResult(byte Status, byte[] Data, byte[] Sense, byte Flags, uint Residual)
{
    public static CommandResult From(ReceivedPdu pdu, byte[] data)
    {
        var bhs = new Bhs(pdu.Header);
        var sense = pdu.Opcode == Opcode.ScsiResponse && pdu.Data.Length >= 2
            ? pdu.Data.AsSpan(2, (pdu.Data[0] << 8) | pdu.Data[1]).ToArray()
            : [];
        return new CommandResult(bhs.Byte3, data, sense, bhs.Flags, bhs.ResidualCount);
    }

    public byte SenseKey => Sense.Length > 2 ? (byte)(Sense[2] & 0x0F) : (byte)0;

    public byte Asc => Sense.Length > 12 ? Sense[12] : (byte)0;
}
