using System.Globalization;
using Storlane.Bench.Engine;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;

namespace Storlane.Cli.Commands;

/// <summary>
/// The message bench and io give instead of writing over a device they did not make: which tests
/// write, what a sample of blocks showed, and the two ways on (--write, or reading only).
/// </summary>
internal static class WriteRefusal
{
    /// <summary>Null when <paramref name="suite"/> may run on <paramref name="targets"/> without --write; otherwise why not.</summary>
    public static async Task<string?> CheckAsync(BenchSuite suite, IReadOnlyList<IBenchTarget> targets, CancellationToken cancellationToken)
    {
        var writing = WriteGuard.WritingTests(suite);
        if (writing.Count == 0)
        {
            return null;
        }

        foreach (var target in targets)
        {
            if (target.Info.CreatedByBench)
            {
                continue;
            }

            var data = await WriteGuard.FindDataAsync(target.Info.SizeBytes, target.Info.LogicalBlockSize, target.BufferAlignment, target.ReadAsync, cancellationToken).ConfigureAwait(false);
            var readTests = suite.Tests.Count - writing.Count;
            var instead = readTests == 0
                ? "; the suite has no test that only reads, so --read-only cannot help"
                : $", or --read-only to run only its {readTests} read test(s)";
            return $"bench: refusing to write to {target.Info.Spec}: {writing.Count} of the {suite.Tests.Count} tests of suite '{suite.Name}' write over it "
                + $"({string.Join(", ", writing)}), destroying what it holds. {Sample(data)}\n"
                + $"Add --write to allow it (its data will be lost){instead}. Targets bench makes itself (memory:, a new file:) need neither.";
        }

        return null;
    }

    /// <summary>What the sample of blocks showed, in a sentence.</summary>
    public static string Sample(long? dataOffset) => dataOffset is { } offset
        ? string.Create(CultureInfo.InvariantCulture, $"It holds data: a sample of {WriteGuard.SampleBlocks} blocks found non-zero bytes at byte {offset}.")
        : $"A sample of {WriteGuard.SampleBlocks} blocks found only zeros, which does not prove it empty.";
}
