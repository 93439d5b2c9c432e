using BenchmarkDotNet.Attributes;
using Storlane.Bench.Engine;
using Storlane.Bench.Targets;
using Storlane.Bench.Workload;
using Storlane.Storage;

namespace Storlane.Benchmarks;

/// <summary>
/// The bench's own cost per I/O: <c>storlane bench</c>'s engine (plan, issue, time, record into the
/// histogram and the time series) driving random 4 KiB reads on the in-memory device, against the
/// same reads issued by a bare loop (<see cref="DeviceOnly"/>, the baseline). Each operation is one
/// I/O, so the mean is the time per I/O; at QD1 one slot runs on one core, so 1 / mean is I/Os per
/// second per core, and Engine minus DeviceOnly is the engine's overhead. The device is left
/// unwritten, as in <c>storlane bench --target memory:1GiB</c>: reads fill zeros, no 1 GiB of RAM.
/// <c>dotnet run -c Release --project benchmarks/Storlane.Benchmarks -- --filter '*BenchEngineOverhead*'</c>
/// </summary>
[MemoryDiagnoser]
public class BenchEngineOverheadBenchmark
{
    private const int Ios = 200_000;
    private const int BlockSize = 4096;
    private const long DeviceBytes = 1L << 30;

    private MemoryBlockDevice? _device;
    private BlockDeviceTarget? _target;
    private WorkloadSpec? _spec;
    private long[] _offsets = [];
    private byte[] _buffer = [];

    [Params(1, 32)]
    public int QueueDepth { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _device = new MemoryBlockDevice(BlockGeometry.FromSize(DeviceBytes, 512, 512));
        _target = new BlockDeviceTarget(_device, "memory:1GiB");
        _spec = WorkloadSpec.Simple(BlockSize, readPercent: 100, randomPercent: 100, QueueDepth) with { IoCount = Ios };

        // The baseline reads the same kind of offsets: random, 4 KiB aligned, over the whole device.
        var random = new Random(1);
        _offsets = new long[Ios];
        for (var i = 0; i < Ios; i++)
        {
            _offsets[i] = random.NextInt64(DeviceBytes / BlockSize) * (BlockSize / 512);
        }

        _buffer = new byte[BlockSize];
    }

    /// <summary>The device alone: a loop of 4 KiB reads with nothing measured.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Ios)]
    public async Task DeviceOnly()
    {
        var buffer = _buffer.AsMemory();
        foreach (var lba in _offsets)
        {
            await _device!.ReadAsync(lba, buffer, CancellationToken.None);
        }
    }

    /// <summary>The same number of reads through the bench engine at <see cref="QueueDepth"/>.</summary>
    [Benchmark(OperationsPerInvoke = Ios)]
    public Task Engine() => WorkloadRunner.RunAsync(_target!, _spec!);

    [GlobalCleanup]
    public void Cleanup() => _device?.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
