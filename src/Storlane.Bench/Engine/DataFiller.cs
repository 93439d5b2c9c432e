using Storlane.Bench.Workload;

namespace Storlane.Bench.Engine;

/// <summary>Fills write buffers with the spec's data pattern (once per slot, not per I/O).</summary>
internal static class DataFiller
{
    private const int CompressionUnit = 4096;

    public static void Fill(Span<byte> buffer, DataPattern pattern, int compressiblePercent, Random random)
    {
        switch (pattern)
        {
            case DataPattern.Zeros:
                buffer.Clear();
                break;
            case DataPattern.Random:
                random.NextBytes(buffer);
                break;
            case DataPattern.Compressible:
                random.NextBytes(buffer);
                var zeros = CompressionUnit * compressiblePercent / 100;
                for (var start = 0; start < buffer.Length; start += CompressionUnit)
                {
                    buffer.Slice(start, Math.Min(zeros, buffer.Length - start)).Clear();
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(pattern), pattern, null);
        }
    }
}
