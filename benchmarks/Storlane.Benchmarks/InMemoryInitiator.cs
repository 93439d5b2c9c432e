using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;
using Storlane.Target;
using Storlane.Target.Connections;

namespace Storlane.Benchmarks;

/// <summary>
/// A lean initiator over in-memory pipes for the round-trip benchmark. Its steady state allocates
/// nothing and never awaits (it spins on TryRead), so the allocations BenchmarkDotNet reports
/// are the target's.
/// </summary>
internal sealed class InMemoryInitiator : IAsyncDisposable
{
    private readonly Pipe _toTarget = new(new PipeOptions(pauseWriterThreshold: 0));
    private readonly Pipe _fromTarget = new(new PipeOptions(pauseWriterThreshold: 0));
    private readonly byte[] _command = new byte[Bhs.Length];
    private readonly byte[] _header = new byte[Bhs.Length];
    private readonly byte[] _payload = new byte[1 << 20];
    private readonly PduReadOptions _readOptions = new() { MaxDataSegmentLength = 1 << 20 };
    private readonly IscsiConnection _connection;
    private uint _cmdSN = 1;
    private uint _itt = 1;

    public InMemoryInitiator(IscsiTargetServer server)
    {
        _connection = server.AttachConnection(new DuplexPipe(_toTarget.Reader, _fromTarget.Writer), _toTarget.Writer.AsStream());
    }

    public byte[] Received { get; } = new byte[1 << 20];

    public void Login(string initiator, string target)
    {
        var header = new byte[Bhs.Length];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.LoginRequest, immediate: true);
        bhs.Transit = true;
        bhs.CurrentStage = LoginStage.LoginOperationalNegotiation;
        bhs.NextStage = LoginStage.FullFeaturePhase;
        bhs.Isid = 0x400001370001;
        bhs.CmdSN = _cmdSN;
        var text = Encoding.UTF8.GetBytes($"InitiatorName={initiator}\0TargetName={target}\0SessionType=Normal\0HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=262144\0");
        Send(header, text);
        if (ReceiveStatus(Opcode.LoginResponse) != 0)
        {
            throw new InvalidOperationException("login failed");
        }
    }

    /// <summary>READ(10) of one block run to its status; returns the SCSI status.</summary>
    public int Read(uint lba, ushort blocks, int blockSize)
    {
        var bhs = new Bhs(_command);
        bhs.Initialize(Opcode.ScsiCommand);
        bhs.Flags = 0x80 | 0x40 | 1; // F, R, SIMPLE
        bhs.InitiatorTaskTag = _itt++;
        bhs.ExpectedDataTransferLength = (uint)(blocks * blockSize);
        bhs.CmdSN = _cmdSN++;
        var cdb = bhs.Cdb;
        cdb[0] = 0x28;
        BinaryPrimitives.WriteUInt32BigEndian(cdb[2..], lba);
        BinaryPrimitives.WriteUInt16BigEndian(cdb[7..], blocks);
        Send(_command, ReadOnlySpan<byte>.Empty);
        return ReceiveStatus(Opcode.DataIn);
    }

    /// <summary>WRITE(10) of one block run, its data sent as immediate data; returns the SCSI status.</summary>
    public int Write(uint lba, ushort blocks, int blockSize)
    {
        var length = blocks * blockSize;
        var bhs = new Bhs(_command);
        bhs.Initialize(Opcode.ScsiCommand);
        bhs.Flags = 0x80 | 0x20 | 1; // F, W, SIMPLE
        bhs.InitiatorTaskTag = _itt++;
        bhs.ExpectedDataTransferLength = (uint)length;
        bhs.CmdSN = _cmdSN++;
        var cdb = bhs.Cdb;
        cdb[0] = 0x2A;
        BinaryPrimitives.WriteUInt32BigEndian(cdb[2..], lba);
        BinaryPrimitives.WriteUInt16BigEndian(cdb[7..], blocks);
        _payload[0] = (byte)lba;
        Send(_command, _payload.AsSpan(0, length));
        return ReceiveStatus(Opcode.ScsiResponse);
    }

    private void Send(byte[] header, ReadOnlySpan<byte> data)
    {
        var writer = _toTarget.Writer;
        var span = PduWriter.Begin(writer, data.Length, false, false);
        header.CopyTo(span);
        PduWriter.Finish(writer, span, data, false, false);
        var flush = writer.FlushAsync();
        if (!flush.IsCompleted)
        {
            flush.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Spins until the PDU carrying status arrives, copying Data-In payloads.</summary>
    private int ReceiveStatus(Opcode final)
    {
        var reader = _fromTarget.Reader;
        var spinner = default(SpinWait);
        while (true)
        {
            if (!reader.TryRead(out var result))
            {
                spinner.SpinOnce();
                continue;
            }

            var buffer = result.Buffer;
            while (PduReader.TryReadPdu(buffer, _readOptions, _header, out var frame))
            {
                var bhs = new Bhs(_header);
                buffer = buffer.Slice(frame.End);
                if (bhs.Opcode == Opcode.DataIn)
                {
                    frame.Data.CopyTo(Received.AsSpan((int)bhs.BufferOffset));
                    if ((bhs.Flags & 0x01) != 0)
                    {
                        reader.AdvanceTo(buffer.Start);
                        return bhs.Byte3;
                    }
                }
                else if (bhs.Opcode == Opcode.ScsiResponse || bhs.Opcode == final)
                {
                    reader.AdvanceTo(buffer.Start);
                    return bhs.Opcode == Opcode.LoginResponse ? (int)bhs.LoginStatus : bhs.Byte3;
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _toTarget.Writer.CompleteAsync();
        _connection.Abort("benchmark done");
        await _connection.Completion;
    }
}
