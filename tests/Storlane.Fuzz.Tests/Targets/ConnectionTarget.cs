using Microsoft.Extensions.Logging;
using Storlane.Fuzz.Tests.Engine;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;
using Storlane.Target;
using Storlane.Target.Tests.Support;

namespace Storlane.Fuzz.Tests.Targets;

/// <summary>
/// End to end: after a valid login, a mutated PDU stream goes into a real target connection over an
/// in-memory pipe, then the stream ends. Rules: the connection finishes (no hang) once its input is
/// gone; the target logs no unexpected fault (its catch-all for bugs); and, every few inputs, a fresh
/// well-behaved session writes a block and reads the same bytes back.
/// </summary>
internal sealed class ConnectionTarget : FuzzTarget
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly Lazy<(IscsiTargetServer Server, FaultLog Faults)> Shared = new(Start);

    internal const string TargetName = "iqn.2026-11.io.storlane:fuzz";
    internal const string Initiator = "iqn.2026-11.io.storlane:fuzzer";

    public override string Name => "connection";

    public override IEnumerable<byte[]> BuiltInSeeds()
    {
        yield return Command(ScsiCdb.Inquiry(null, 96).ToArray(), 96, read: true, 0);
        yield return Command(ScsiCdb.Read10(0, 1).ToArray(), 512, read: true, 0);
        yield return Command(ScsiCdb.Write10(1, 1).ToArray(), 512, read: false, 512);
        var nop = new byte[Bhs.Length];
        Storlane.Iscsi.Initiator.InitiatorPdus.NopOut(nop, 0x77, Bhs.ReservedTag, 0, 3, 0);
        yield return nop;
    }

    public override void Execute(byte[] input, int seed) => RunAsync(input, seed).GetAwaiter().GetResult();

    private static async Task RunAsync(byte[] input, int seed)
    {
        var random = new Random(seed);
        var (server, faults) = Shared.Value;
        var before = faults.Count;
        await using (var client = PduClient.Connect(server))
        {
            await client.LoginAsync(Initiator, TargetName);
            await client.SendRawAsync(input);
            await client.CloseAsync();
            using var deadline = new CancellationTokenSource(Patience);
            try
            {
                while (await client.ReceiveAsync(Patience) is not null)
                {
                    // drain: a target blocked on a full pipe would never notice the end of input
                }

                await client.Connection.Completion.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new FuzzAssertionException($"the connection did not finish within {Patience.TotalSeconds} s of its input ending");
            }
        }

        if (faults.Count != before)
        {
            throw new FuzzAssertionException("the target logged an unexpected fault: " + faults.Last);
        }

        if (random.Next(8) == 0)
        {
            await VerifyHealthyAsync(server, random);
        }
    }

    /// <summary>A fresh session writes a random block and reads it back: the target still serves.</summary>
    internal static async Task VerifyHealthyAsync(IscsiTargetServer server, Random random)
    {
        await using var client = PduClient.Connect(server);
        await client.LoginAsync(Initiator, TargetName);
        var block = new byte[512];
        random.NextBytes(block);
        var lba = (uint)random.Next(2048);
        var written = await client.WriteAsync(ScsiCdb.Write10(lba, 1).ToArray(), 0, block, 0);
        var read = await client.ReadAsync(ScsiCdb.Read10(lba, 1).ToArray(), 0, 512);
        if (written.Status != 0 || read.Status != 0 || !read.Data.AsSpan().SequenceEqual(block))
        {
            throw new FuzzAssertionException($"a well-behaved session after fuzzing: write status {written.Status}, read status {read.Status}, data {(read.Data.AsSpan().SequenceEqual(block) ? "same" : "different")}");
        }
    }

    internal static IscsiTargetServer Server => Shared.Value.Server;

    /// <summary>A SCSI Command PDU with CmdSN 1 (the first after login) and, for writes, immediate data.</summary>
    private static byte[] Command(byte[] cdb, uint length, bool read, int immediate)
    {
        var pdu = new byte[Bhs.Length + immediate];
        Storlane.Iscsi.Initiator.InitiatorPdus.ScsiCommand(pdu, 0, 1, length, 1, 1, read, !read, final: true, cdb);
        new Bhs(pdu).DataSegmentLength = immediate;
        return pdu;
    }

    private static (IscsiTargetServer, FaultLog) Start()
    {
        var faults = new FaultLog();
        var options = new TargetServerOptions { NopInIntervalSeconds = 0 };
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 1 });
        var target = new TargetOptions { Name = TargetName };
        target.Luns.Add(new LunOptions { Lun = 0, Backend = LunBackend.Memory, SizeBytes = 1 << 20, LogicalBlockSize = 512, PhysicalBlockSize = 512 });
        options.Targets.Add(target);
        var server = new IscsiTargetServer(options, LoggerFactory.Create(builder => builder.AddProvider(faults)), null);
        server.StartAsync().GetAwaiter().GetResult();
        return (server, faults);
    }

    /// <summary>Counts log entries at Error and above that carry an exception: the target's "this is a bug" path.</summary>
    private sealed class FaultLog : ILoggerProvider, ILogger
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public string? Last { get; private set; }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error && exception is not null)
            {
                Last = formatter(state, exception) + ": " + exception;
                Interlocked.Increment(ref _count);
            }
        }

        public void Dispose()
        {
        }
    }
}
