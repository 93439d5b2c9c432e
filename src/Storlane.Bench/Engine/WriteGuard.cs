using Storlane.Bench.Suites;
using Storlane.Bench.Workload;

namespace Storlane.Bench.Engine;

/// <summary>
/// Bench is safe by default: a test that writes destroys what the device held, so the CLI runs
/// write tests only on targets bench made itself (<see cref="Targets.BenchTargetInfo.CreatedByBench"/>)
/// or when told (<c>--write</c>). This class says which tests write, keeps the ones that do not
/// (<c>--read-only</c>), and looks at a sample of blocks so a refusal can say whether data is there.
/// </summary>
public static class WriteGuard
{
    /// <summary>Blocks read by <see cref="FindDataAsync"/>: the first, the last and evenly between.</summary>
    public const int SampleBlocks = 64;

    /// <summary>True when <paramref name="workload"/> writes: any access line below 100% reads, or verify (which stamps blocks).</summary>
    public static bool Writes(WorkloadSpec workload)
    {
        if (workload.Verify)
        {
            return true;
        }

        foreach (var line in workload.Access)
        {
            if (line.ReadPercent < 100)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The names of the tests of <paramref name="suite"/> that write, in suite order.</summary>
    public static IReadOnlyList<string> WritingTests(BenchSuite suite)
    {
        var names = new List<string>();
        foreach (var test in suite.Tests)
        {
            if (Writes(test.Workload))
            {
                names.Add(test.Name);
            }
        }

        return names;
    }

    /// <summary><paramref name="suite"/> without its writing tests (it may be left with none).</summary>
    public static BenchSuite ReadOnly(BenchSuite suite)
    {
        var tests = new List<SuiteTest>();
        foreach (var test in suite.Tests)
        {
            if (!Writes(test.Workload))
            {
                tests.Add(test);
            }
        }

        return suite with { Tests = tests };
    }

    /// <summary>
    /// Reads <see cref="SampleBlocks"/> blocks of <paramref name="blockSize"/> bytes spread over a
    /// device of <paramref name="sizeBytes"/> and returns the byte offset of the first that is not
    /// all zeros, or null when every sampled block is zeros (which does not prove the device empty).
    /// </summary>
    /// <param name="read">Reads the block at a byte offset into the buffer.</param>
    public static async Task<long?> FindDataAsync(long sizeBytes, int blockSize, int bufferAlignment, Func<long, Memory<byte>, CancellationToken, ValueTask> read, CancellationToken cancellationToken)
    {
        var blocks = sizeBytes / blockSize;
        if (blocks == 0)
        {
            return null;
        }

        using var buffer = new AlignedBuffer(blockSize, Math.Max(64, bufferAlignment));
        var samples = (int)Math.Min(SampleBlocks, blocks);
        for (var i = 0; i < samples; i++)
        {
            var block = samples == 1 ? 0 : i * (blocks - 1) / (samples - 1);
            var offset = block * blockSize;
            await read(offset, buffer.Memory, cancellationToken).ConfigureAwait(false);
            if (buffer.GetSpan().ContainsAnyExcept((byte)0))
            {
                return offset;
            }
        }

        return null;
    }
}
