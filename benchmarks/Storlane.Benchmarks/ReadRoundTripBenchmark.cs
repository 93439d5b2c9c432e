using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Target;

namespace Storlane.Benchmarks;

/// <summary>
/// One 4 KiB READ(10) through the whole target (PDU framing, command window, SCSI dispatch, memory
/// LUN, Data-In with phase-collapsed status) over an in-memory transport. The figure and its
/// allocations per operation are the hot path's budget.
/// </summary>
[MemoryDiagnoser]
public class ReadRoundTripBenchmark
{
    private IscsiTargetServer? _server;
    private InMemoryInitiator? _initiator;
    private uint _lba;

    [Params(512, 4096)]
    public int BlockSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new TargetServerOptions { NopInIntervalSeconds = 0 };
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0 });
        var target = new TargetOptions { Name = "iqn.2026-11.io.storlane:bench" };
        target.Luns.Add(new LunOptions { Lun = 0, Backend = LunBackend.Memory, SizeBytes = 64 << 20, LogicalBlockSize = BlockSize, PhysicalBlockSize = BlockSize });
        options.Targets.Add(target);
        _server = new IscsiTargetServer(options, NullLoggerFactory.Instance);
        _server.StartAsync().GetAwaiter().GetResult();
        _initiator = new InMemoryInitiator(_server);
        _initiator.Login("iqn.2026-11.io.storlane:bench-initiator", target.Name);
    }

    [Benchmark]
    public int Read4KiB()
    {
        var blocks = (ushort)(4096 / BlockSize);
        _lba = (_lba + (uint)blocks) % 8192;
        return _initiator!.Read(_lba, blocks, BlockSize);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _initiator?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
