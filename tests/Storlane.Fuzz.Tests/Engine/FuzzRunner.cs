using System.Diagnostics;

namespace Storlane.Fuzz.Tests.Engine;

internal sealed record FuzzRunOptions
{
    public int Seed { get; init; } = 12;

    public long MaxIterations { get; init; } = long.MaxValue;

    public TimeSpan MaxDuration { get; init; } = TimeSpan.MaxValue;

    /// <summary>Where reproducers go (one file per distinct crash); null keeps them in memory only.</summary>
    public string? CrashDirectory { get; init; }

    /// <summary>Called every 2^16 iterations with the count so far (console progress).</summary>
    public Action<long, TimeSpan>? Progress { get; init; }
}

/// <summary>An input that made a target throw; <see cref="Seed"/> replays the target's options.</summary>
internal sealed record FuzzCrash(int Seed, byte[] Input, Exception Exception, string? SavedTo);

internal sealed record FuzzReport(string Target, long Iterations, TimeSpan Elapsed, long CrashCount, IReadOnlyList<FuzzCrash> DistinctCrashes);

/// <summary>
/// Runs a target over its corpus (each entry once as is) and then over mutants until a count or a
/// time bound. Crashes are grouped by exception type and throwing method; the first input of each
/// group is saved as <c>&lt;target&gt;-&lt;seed&gt;.bin</c>, the file <see cref="Replay"/> reads back.
/// </summary>
internal static class FuzzRunner
{
    public static FuzzReport Run(FuzzTarget target, FuzzRunOptions options)
    {
        var corpus = target.LoadCorpus();
        var crashes = new Dictionary<string, FuzzCrash>(StringComparer.Ordinal);
        long crashCount = 0;
        var clock = Stopwatch.StartNew();
        long iteration = 0;
        for (; iteration < options.MaxIterations; iteration++)
        {
            if ((iteration & 0xff) == 0 && clock.Elapsed >= options.MaxDuration)
            {
                break;
            }

            if ((iteration & 0xffff) == 0 && iteration > 0)
            {
                options.Progress?.Invoke(iteration, clock.Elapsed);
            }

            var seed = IterationSeed(options.Seed, iteration);
            var random = new Random(seed);
            var input = iteration < corpus.Count ? corpus[(int)iteration] : Mutator.Mutate(corpus[random.Next(corpus.Count)], corpus, random);
            try
            {
                target.Execute(input, seed);
            }
            catch (Exception ex)
            {
                crashCount++;
                var signature = Signature(ex);
                if (!crashes.ContainsKey(signature))
                {
                    crashes[signature] = new FuzzCrash(seed, input, ex, Save(target.Name, seed, input, options.CrashDirectory));
                }
            }
        }

        return new FuzzReport(target.Name, iteration, clock.Elapsed, crashCount, [.. crashes.Values]);
    }

    /// <summary>Runs a saved reproducer named <c>&lt;target&gt;-&lt;seed hex&gt;.bin</c> against its target.</summary>
    public static void Replay(FuzzTarget target, string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        var seed = Convert.ToInt32(name[(name.LastIndexOf('-') + 1)..], 16);
        target.Execute(File.ReadAllBytes(file), seed);
    }

    /// <summary>A well-mixed, platform-independent seed per iteration (HashCode is randomized per process).</summary>
    public static int IterationSeed(int runSeed, long iteration)
    {
        var x = unchecked(((ulong)(uint)runSeed << 32) ^ (ulong)iteration);
        x = unchecked((x ^ (x >> 33)) * 0xff51afd7ed558ccdUL);
        x = unchecked((x ^ (x >> 33)) * 0xc4ceb9fe1a85ec53UL);
        return (int)(x ^ (x >> 33));
    }

    private static string Signature(Exception ex)
    {
        var frame = new StackTrace(ex, false).GetFrames().FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("Storlane", StringComparison.Ordinal) == true);
        return ex.GetType().FullName + " at " + frame?.GetMethod()?.DeclaringType?.FullName + "." + frame?.GetMethod()?.Name;
    }

    private static string? Save(string target, int seed, byte[] input, string? directory)
    {
        if (directory is null)
        {
            return null;
        }

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{target}-{seed:x8}.bin");
        File.WriteAllBytes(path, input);
        return path;
    }
}
