using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Target;

namespace Storlane.Benchmarks;

/// <summary>
/// One 4 KiB READ(10) or WRITE(10) (with immediate data) through the whole target: PDU framing,
/// command window, SCSI dispatch, the LUN's device, Data-In with phase-collapsed status or the SCSI
/// Response, over an in-memory transport. The figure and its allocations per operation are the hot
/// path's budget: 0 B, which Storlane.Target.Tests' RoundTripAllocationTests enforce by running
/// <see cref="Read4KiB"/> and <see cref="Write4KiB"/> themselves.
/// </summary>
[MemoryDiagnoser]
public class RoundTripBenchmark
{
    private const long LunBytes = 64 << 20;
    private const uint LbaWindowBytes = 32 << 20;

    private IscsiTargetServer? _server;
    private InMemoryInitiator? _initiator;
    private string? _directory;
    private uint _readLba;
    private uint _writeLba;

    [Params(LunBackend.Memory, LunBackend.File)]
    public LunBackend Backend { get; set; } = LunBackend.Memory;

    [Params(512, 4096)]
    public int BlockSize { get; set; } = 4096;

    private ushort BlocksPer4KiB => (ushort)(4096 / BlockSize);

    [GlobalSetup]
    public void Setup()
    {
        var options = new TargetServerOptions { NopInIntervalSeconds = 0 };
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0 });
        var target = new TargetOptions { Name = "iqn.2026-11.io.storlane:bench" };
        string? path = null;
        if (Backend == LunBackend.File)
        {
            _directory = Directory.CreateTempSubdirectory("storlane-bench-").FullName;
            path = Path.Combine(_directory, "lun0.img");
        }

        target.Luns.Add(new LunOptions { Lun = 0, Backend = Backend, Path = path, SizeBytes = LunBytes, LogicalBlockSize = BlockSize, PhysicalBlockSize = BlockSize });
        options.Targets.Add(target);
        _server = new IscsiTargetServer(options, NullLoggerFactory.Instance, new FixedAddressSource());
        _server.StartAsync().GetAwaiter().GetResult();
        _initiator = new InMemoryInitiator(_server);
        _initiator.Login("iqn.2026-11.io.storlane:bench-initiator", target.Name);

        // Reads then find written blocks (page cache), not a file's holes.
        for (var i = 0; i < LbaWindowBytes / 4096; i++)
        {
            Write4KiB();
        }
    }

    [Benchmark]
    public int Read4KiB()
    {
        var blocks = BlocksPer4KiB;
        _readLba = (_readLba + blocks) % (LbaWindowBytes / (uint)BlockSize);
        return _initiator!.Read(_readLba, blocks, BlockSize);
    }

    [Benchmark]
    public int Write4KiB()
    {
        var blocks = BlocksPer4KiB;
        _writeLba = (_writeLba + blocks) % (LbaWindowBytes / (uint)BlockSize);
        return _initiator!.Write(_writeLba, blocks, BlockSize);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _initiator?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
