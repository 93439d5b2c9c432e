using Storlane.Benchmarks;

namespace Storlane.Target.Tests;

/// <summary>
/// The hot path's budget (ARCHITECTURE.md habit 3): a 4 KiB READ or WRITE round trip through the
/// target, on a memory or a file LUN, allocates nothing once warm. These run the body of
/// <see cref="RoundTripBenchmark"/>, the figure BenchmarkDotNet's MemoryDiagnoser reports.
/// </summary>
/// <remarks>
/// The target's work hops threads (the receive loop, the writer loop and a device's thread-pool I/O
/// continue on pool threads, not on the test's), so the count is the process-wide
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/>, as MemoryDiagnoser's, with this collection run
/// alone. The test host still allocates beside it now and then (reporting the previous test's
/// result, a timer), so the round trips run in batches and the quietest batch is judged: an
/// allocation per round trip is in every batch, at least 24 bytes per round trip, while the rule is
/// under one byte per round trip.
/// </remarks>
[Collection(RoundTripAllocationCollection.Name)]
public class RoundTripAllocationTests
{
    private const int WarmUpRoundTrips = 3_000;
    private const int Batches = 10;
    private const int RoundTripsPerBatch = 2_000;

    // One object per round trip costs at least 24 B (header, method table, payload) in every batch;
    // the quietest batch staying under half that proves there is none. The process-wide count also
    // sees the thread pool and timers other tests in this assembly left running (a few KiB a batch),
    // which a bound of 1 B per round trip mistook for the command path.
    private const long MaxBytesPerBatch = RoundTripsPerBatch * 12L;

    [Theory]
    [InlineData(LunBackend.Memory, 4096)]
    [InlineData(LunBackend.Memory, 512)]
    [InlineData(LunBackend.File, 4096)]
    [InlineData(LunBackend.File, 512)]
    public void Read4KiB_AllocatesNothingPerRoundTrip(LunBackend backend, int blockSize)
    {
        var batches = MeasureBatches(backend, blockSize, static b => b.Read4KiB());
        Assert.True(batches.Min() < MaxBytesPerBatch, $"READ: bytes allocated per batch of {RoundTripsPerBatch} round trips: {string.Join(", ", batches)}");
    }

    [Theory]
    [InlineData(LunBackend.Memory, 4096)]
    [InlineData(LunBackend.Memory, 512)]
    [InlineData(LunBackend.File, 4096)]
    [InlineData(LunBackend.File, 512)]
    public void Write4KiB_AllocatesNothingPerRoundTrip(LunBackend backend, int blockSize)
    {
        var batches = MeasureBatches(backend, blockSize, static b => b.Write4KiB());
        Assert.True(batches.Min() < MaxBytesPerBatch, $"WRITE: bytes allocated per batch of {RoundTripsPerBatch} round trips: {string.Join(", ", batches)}");
    }

    /// <summary>Bytes the process allocated during each batch of round trips, after a warm-up.</summary>
    private static long[] MeasureBatches(LunBackend backend, int blockSize, Func<RoundTripBenchmark, int> roundTrip)
    {
        var benchmark = new RoundTripBenchmark { Backend = backend, BlockSize = blockSize };
        benchmark.Setup();
        try
        {
            for (var i = 0; i < WarmUpRoundTrips; i++)
            {
                Assert.Equal(0, roundTrip(benchmark));
            }

            var batches = new long[Batches];
            var failed = 0;
            for (var batch = 0; batch < Batches; batch++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                for (var i = 0; i < RoundTripsPerBatch; i++)
                {
                    failed += roundTrip(benchmark) == 0 ? 0 : 1;
                }

                batches[batch] = GC.GetTotalAllocatedBytes(precise: true) - before;
            }

            Assert.Equal(0, failed);
            return batches;
        }
        finally
        {
            benchmark.Cleanup();
        }
    }
}

/// <summary>Process-wide allocation counts need the process to themselves: no other test runs beside these.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RoundTripAllocationCollection
{
    public const string Name = "Round-trip allocations";
}
