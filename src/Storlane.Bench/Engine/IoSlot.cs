using Storlane.Bench.Metrics;

namespace Storlane.Bench.Engine;

/// <summary>
/// One queue position of a worker: its own buffer, histograms and per-interval counters, so the
/// I/O path touches no shared state except the worker's planner lock and outstanding count.
/// </summary>
internal sealed class IoSlot : IDisposable
{
    public IoSlot(int index, int bufferLength, int alignment, int samples)
    {
        Index = index;
        ReadBuffer = new AlignedBuffer(bufferLength, alignment);
        WriteBuffer = new AlignedBuffer(bufferLength, alignment);
        SampleIos = new long[samples];
        SampleBytes = new long[samples];
        SampleLatencyNs = new long[samples];
    }

    public int Index { get; }

    /// <summary>Reads land here, so they never overwrite the data pattern of <see cref="WriteBuffer"/>.</summary>
    public AlignedBuffer ReadBuffer { get; }

    public AlignedBuffer WriteBuffer { get; }

    public LatencyHistogram Latency { get; } = new();

    public long ReadIos { get; set; }

    public long WriteIos { get; set; }

    public long BytesRead { get; set; }

    public long BytesWritten { get; set; }

    public long VerifiedBlocks { get; set; }

    public long VerifyErrors { get; set; }

    public string? FirstVerifyError { get; set; }

    /// <summary>I/Os that failed on a target whose errors do not end the run (<see cref="Targets.IMultipathTarget"/>).</summary>
    public long IoErrors { get; set; }

    public string? FirstIoError { get; set; }

    public long LastCompletion { get; set; }

    /// <summary>Per time-series interval: I/Os completed, their bytes and their summed latency.</summary>
    public long[] SampleIos { get; }

    public long[] SampleBytes { get; }

    public long[] SampleLatencyNs { get; }

    public void Dispose()
    {
        ((IDisposable)ReadBuffer).Dispose();
        ((IDisposable)WriteBuffer).Dispose();
    }
}
