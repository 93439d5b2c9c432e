using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Storlane.Fuzz.Tests.Engine;
using Storlane.Nvme;
using Storlane.Nvme.Target;
using Storlane.Nvme.Tcp;
using Storlane.Nvme.Tests.Support;
using Storlane.Scsi;
using Storlane.Storage;

namespace Storlane.Fuzz.Tests.Targets;

/// <summary>
/// End to end over NVMe/TCP: a running <see cref="NvmeTcpServer"/> on 127.0.0.1 takes a mutated byte
/// stream on a fresh connection, sent (by the seed's choice) from the very first byte, after a valid
/// ICReq, or after ICReq and Connect as I/O queue 1 of a controller another connection holds; with
/// or without digests, so well-formed seeds arrive with bad ones. Then the stream ends. Rules: the
/// target ends the connection (C2HTermReq and close, or close) within a bound; it logs no internal
/// fault; and a bystander host, connected before the run, still writes and reads back a block.
/// </summary>
internal sealed class NvmeConnectionTarget : FuzzTarget
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly Lazy<Shared> State = new(Start);

    private const string TargetName = "iqn.2026-11.io.storlane:nvme-fuzz";

    private static string Nqn => NvmeTargetOptions.DeriveNqn(TargetName);

    public override string Name => "nvme";

    public override IEnumerable<byte[]> BuiltInSeeds()
    {
        yield return Capsule(IoCommand(IoOpcode.Write, 1, 3, 1, 512, inCapsule: true), new byte[512]);
        yield return Capsule(IoCommand(IoOpcode.Read, 1, 0, 8, 4096, inCapsule: false), null);
        yield return [.. Capsule(IoCommand(IoOpcode.Write, 1, 0, 8, 4096, inCapsule: false), null), .. H2CData(1, 0, 0, new byte[4096])];
        yield return Capsule(IoCommand(IoOpcode.DatasetManagement, 1, 0, 1, 16, inCapsule: true), [0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        yield return Capsule(IoCommand(IoOpcode.ReservationRegister, 1, 0, 1, 16, inCapsule: true), [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
        yield return Capsule(IoCommand(IoOpcode.ReservationReport, 1, 0, 1, 4096, inCapsule: false), null);

        // An H2CTermReq, a header that says 4 GiB, and a header cut short.
        yield return [(byte)PduType.H2CTermReq, 0, 24, 0, 24, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        yield return [(byte)PduType.CapsuleCmd, 0, 72, 72, 0xFF, 0xFF, 0xFF, 0xFF, .. new byte[64]];
        yield return [(byte)PduType.CapsuleCmd, 0, 72, 0, 72, 0, 0, 0, 1, 0];
    }

    public override void Execute(byte[] input, int seed) => RunAsync(input, seed).GetAwaiter().GetResult();

    private static async Task RunAsync(byte[] input, int seed)
    {
        var random = new Random(seed);
        var shared = State.Value;
        var before = shared.Faults.Count;
        var stage = random.Next(8) switch
        {
            0 => Stage.Raw,
            1 => Stage.AfterICReq,
            _ => Stage.IoQueue,
        };
        var digests = random.Next(4) == 0;
        var endpoint = shared.Server.ListeningPortals[0].Endpoint;
        TestHost? admin = null;
        try
        {
            await using var fuzzed = await TestHost.OpenAsync(endpoint, digests, digests, initialize: stage != Stage.Raw);
            if (stage == Stage.IoQueue)
            {
                admin = await TestHost.OpenAsync(endpoint);
                await admin.ConnectAsync(Nqn, hostNqn: HostOf(seed));
                var connected = await fuzzed.ConnectAsync(Nqn, qid: 1, controllerId: admin.ControllerId, hostNqn: HostOf(seed), sqsize: 127);
                if (!connected.Status.IsSuccess)
                {
                    throw new FuzzAssertionException($"a valid I/O queue Connect was refused: {connected.Status}");
                }
            }

            try
            {
                await fuzzed.SendRawAsync(input);
                fuzzed.Stream.Socket.Shutdown(SocketShutdown.Send);
            }
            catch (IOException)
            {
                // The target ended the connection while the input was still going out: that is an ending.
            }

            if (!await fuzzed.ClosedAsync(Patience))
            {
                throw new FuzzAssertionException($"the NVMe/TCP connection did not end within {Patience.TotalSeconds} s of its input ending ({stage}, digests {digests})");
            }
        }
        finally
        {
            if (admin is not null)
            {
                await admin.DisposeAsync();
            }
        }

        if (shared.Faults.Count != before)
        {
            throw new FuzzAssertionException("the NVMe/TCP target logged an internal fault: " + shared.Faults.Last);
        }

        if (random.Next(4) == 0)
        {
            await shared.VerifyBystanderAsync(random);
        }
    }

    /// <summary>A few host NQNs, so reservations a fuzzed stream registers belong to different hosts.</summary>
    private static string HostOf(int seed) => "nqn.2014-08.org.storlane:fuzz-host-" + (seed & 3);

    private static byte[] IoCommand(IoOpcode opcode, uint nsid, ulong lba, int blocks, int length, bool inCapsule)
    {
        var sqe = new byte[64];
        sqe[0] = (byte)opcode;
        sqe[1] = 0x40;
        BinaryPrimitives.WriteUInt16LittleEndian(sqe.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(4), nsid);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(32), (uint)length);
        sqe[39] = inCapsule ? SubmissionEntry.SglInCapsule : SubmissionEntry.SglTransport;
        BinaryPrimitives.WriteUInt64LittleEndian(sqe.AsSpan(40), lba);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(48), (uint)(blocks - 1));
        return sqe;
    }

    /// <summary>A CapsuleCmd without digests: common header, SQE, in-capsule data.</summary>
    private static byte[] Capsule(byte[] sqe, byte[]? data)
    {
        var length = 72 + (data?.Length ?? 0);
        var pdu = new byte[length];
        pdu[0] = (byte)PduType.CapsuleCmd;
        pdu[2] = 72;
        pdu[3] = data is null ? (byte)0 : (byte)72;
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(4), (uint)length);
        sqe.CopyTo(pdu, 8);
        data?.CopyTo(pdu, 72);
        return pdu;
    }

    private static byte[] H2CData(ushort commandId, ushort tag, uint offset, byte[] data)
    {
        var pdu = new byte[24 + data.Length];
        pdu[0] = (byte)PduType.H2CData;
        pdu[1] = (byte)PduFlags.LastPdu;
        pdu[2] = 24;
        pdu[3] = 24;
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(4), (uint)pdu.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(pdu.AsSpan(8), commandId);
        BinaryPrimitives.WriteUInt16LittleEndian(pdu.AsSpan(10), tag);
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(12), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(16), (uint)data.Length);
        data.CopyTo(pdu, 24);
        return pdu;
    }

    private static Shared Start()
    {
        var faults = new FaultLog();
        var device = new ScsiTargetDevice(TargetName);
        device.AddLogicalUnit(0, new MemoryBlockDevice(new BlockGeometry(512, 512, 4096), BlockDeviceFeatures.Unmap));
        var options = new NvmeTargetOptions { Limits = new NvmeLimits { HandshakeTimeoutSeconds = 2 } };
        options.Portals.Add(new NvmePortal("127.0.0.1", 0, 1, false));
        options.Subsystems.Add(new NvmeSubsystemOptions(Nqn, device, []));
        var server = new NvmeTcpServer(options, LoggerFactory.Create(builder => builder.AddProvider(faults)));
        server.StartAsync().GetAwaiter().GetResult();
        var endpoint = server.ListeningPortals[0].Endpoint;
        var (admin, io) = ConnectBystanderAsync(endpoint).GetAwaiter().GetResult();
        return new Shared(server, faults, admin, io);
    }

    private static async Task<(TestHost Admin, TestHost Io)> ConnectBystanderAsync(IPEndPoint endpoint)
    {
        const string host = "nqn.2014-08.org.storlane:bystander";
        var admin = await TestHost.OpenAsync(endpoint);
        await admin.ConnectAsync(Nqn, hostNqn: host);
        var io = await TestHost.OpenAsync(endpoint);
        await io.ConnectAsync(Nqn, qid: 1, controllerId: admin.ControllerId, hostNqn: host, sqsize: 127);
        return (admin, io);
    }

    private enum Stage
    {
        Raw,
        AfterICReq,
        IoQueue,
    }

    private sealed record Shared(NvmeTcpServer Server, FaultLog Faults, TestHost BystanderAdmin, TestHost BystanderIo)
    {
        /// <summary>
        /// The host connected before the run writes a random block and reads it back. A fuzzed host
        /// may hold a reservation on the namespace meanwhile (a valid Register+Acquire can appear in
        /// a stream): then Reservation Conflict is the right answer, and the read must still match
        /// whatever is on the medium, so only a conflict-free write is compared.
        /// </summary>
        public async Task VerifyBystanderAsync(Random random)
        {
            var block = new byte[512];
            random.NextBytes(block);
            var lba = (ulong)random.Next(2048, 4096);
            var write = BystanderIo.IoCommand(IoOpcode.Write, 1, lba, 1);
            var written = await BystanderIo.ExecuteAsync(write, block);
            var (read, data) = await BystanderIo.ExecuteWithDataAsync(BystanderIo.IoCommand(IoOpcode.Read, 1, lba, 1), expectDataLength: 512);
            var writeOk = written.Status.IsSuccess || written.Status == NvmeStatus.ReservationConflict;
            var readOk = read.Status.IsSuccess || read.Status == NvmeStatus.ReservationConflict;
            if (!writeOk || !readOk || (written.Status.IsSuccess && read.Status.IsSuccess && !data.AsSpan().SequenceEqual(block)))
            {
                throw new FuzzAssertionException($"the bystander host after fuzzing: write {written.Status}, read {read.Status}");
            }
        }
    }

    /// <summary>Counts the target's "this is a bug" path: Error entries, and connections ended by an internal error.</summary>
    private sealed class FaultLog : ILoggerProvider, ILogger
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public string? Last { get; private set; }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (logLevel >= LogLevel.Error || message.Contains("fatal transport error (internal", StringComparison.Ordinal))
            {
                Last = message + (exception is null ? string.Empty : ": " + exception);
                Interlocked.Increment(ref _count);
            }
        }

        public void Dispose()
        {
        }
    }
}
