namespace Storlane.Fuzz.Tests.Engine;

/// <summary>
/// One parser under test. <see cref="Execute"/> returns when the input was accepted or refused the
/// way the project refuses bad input (a typed exception caught inside the target, a failed outcome);
/// anything that escapes is a finding. The <c>seed</c> picks the run's options (segment splits,
/// negotiated limits, digests), so an input and its seed replay exactly.
/// </summary>
internal abstract class FuzzTarget
{
    public abstract string Name { get; }

    /// <summary>Seeds made in code (golden PDUs, CDBs, images); the corpus folder adds captured ones.</summary>
    public abstract IEnumerable<byte[]> BuiltInSeeds();

    public abstract void Execute(byte[] input, int seed);

    /// <summary>Seeds from <c>Corpus/&lt;name&gt;/*.bin</c> beside the assembly, then the built-in ones.</summary>
    public IReadOnlyList<byte[]> LoadCorpus()
    {
        var seeds = new List<byte[]>();
        var folder = Path.Combine(AppContext.BaseDirectory, "Corpus", Name);
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.GetFiles(folder, "*.bin").Order(StringComparer.Ordinal))
            {
                seeds.Add(File.ReadAllBytes(file));
            }
        }

        seeds.AddRange(BuiltInSeeds());
        return seeds;
    }
}

/// <summary>A rule a target checks beyond "no exception": thrown when the parser answered wrongly.</summary>
internal sealed class FuzzAssertionException(string message) : Exception(message);
