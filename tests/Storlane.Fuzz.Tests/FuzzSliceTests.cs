using Storlane.Fuzz.Tests.Engine;

namespace Storlane.Fuzz.Tests;

/// <summary>
/// The CI slice: each target runs its corpus and a fixed number of mutants from a fixed seed, so a
/// run is repeatable and bounded (a few seconds a target on 2 cores). Long runs: see Program.
/// </summary>
public class FuzzSliceTests
{
    [Theory]
    [InlineData("pdu", 40_000)]
    [InlineData("login", 30_000)]
    [InlineData("cdb", 30_000)]
    [InlineData("vhdx", 300)]
    [InlineData("connection", 150)]
    [InlineData("nvme", 3_000)]
    public void Target_SurvivesMutatedInputs(string name, int iterations)
    {
        var report = FuzzRunner.Run(FuzzTargets.Create(name), new FuzzRunOptions { Seed = 7143, MaxIterations = iterations, MaxDuration = TimeSpan.FromSeconds(20) });

        Assert.True(report.Iterations >= Math.Min(iterations, 100), $"only {report.Iterations} inputs ran");
        Assert.True(report.CrashCount == 0, string.Join("\n", report.DistinctCrashes.Select(c => $"seed {c.Seed:x8} input {Convert.ToHexString(c.Input.AsSpan(0, Math.Min(c.Input.Length, 64)))}: {c.Exception}")));
    }

    [Fact]
    public void Mutator_SameSeed_SameMutants()
    {
        byte[][] corpus = [[1, 2, 3, 4, 5, 6, 7, 8], [0xff, 0xfe]];
        var first = Enumerable.Range(0, 50).Select(i => Mutator.Mutate(corpus[0], corpus, new Random(FuzzRunner.IterationSeed(1, i)))).ToList();
        var second = Enumerable.Range(0, 50).Select(i => Mutator.Mutate(corpus[0], corpus, new Random(FuzzRunner.IterationSeed(1, i)))).ToList();

        Assert.Equal(first, second);
        Assert.True(first.Count(m => !m.AsSpan().SequenceEqual(corpus[0])) > 40, "mutants should differ from their seed");
    }
}
