using Storlane.Bench.Metrics;

namespace Storlane.Bench.Engine;

/// <summary>
/// One queue position of a worker: its own buffer, histograms and per-second counters, so the
/// I/O path touches no shared state except the worker's planner lock and outstanding count.
/// </summary>
internal sealed class IoSlot : IDisposable
{
    public IoSlot(int index, int bufferLength, int alignment, int seconds)
    {
        Index = index;
        ReadBuffer = new AlignedBuffer(bufferLength, alignment);
        WriteBuffer = new AlignedBuffer(bufferLength, alignment);
        SecondIos = new long[seconds];
        SecondBytes = new long[seconds];
        SecondLatencyNs = new long[seconds];
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

    public long LastCompletion { get; set; }

    public long[] SecondIos { get; }

    public long[] SecondBytes { get; }

    public long[] SecondLatencyNs { get; }

    public void Dispose()
    {
        ((IDisposable)ReadBuffer).Dispose();
        ((IDisposable)WriteBuffer).Dispose();
    }
}
