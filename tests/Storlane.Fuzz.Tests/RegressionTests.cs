using Storlane.Fuzz.Tests.Engine;

namespace Storlane.Fuzz.Tests;

/// <summary>
/// Every crash the fuzzer found, kept as <c>Corpus/crashes/&lt;target&gt;-&lt;seed&gt;.bin</c>: each
/// input, replayed with its seed, must now be handled the project's way (no exception escapes).
/// </summary>
public class RegressionTests
{
    public static TheoryData<string> Reproducers()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", "crashes"), "*.bin").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Reproducers))]
    public void SavedCrash_NoLongerCrashes(string file)
    {
        var target = FuzzTargets.Create(file[..file.IndexOf('-', StringComparison.Ordinal)]);
        FuzzRunner.Replay(target, Path.Combine(AppContext.BaseDirectory, "Corpus", "crashes", file));
    }
}
