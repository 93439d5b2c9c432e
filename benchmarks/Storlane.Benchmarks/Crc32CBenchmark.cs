using BenchmarkDotNet.Attributes;
using Storlane.Protocol;

namespace Storlane.Benchmarks;

/// <summary>CRC32C digest throughput over typical data segment sizes.</summary>
[MemoryDiagnoser]
public class Crc32CBenchmark
{
    private byte[] _data = [];

    [Params(48, 8192, 262144)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Length];
        new Random(1).NextBytes(_data);
    }

    [Benchmark]
    public uint Compute() => Crc32C.Compute(_data);
}
