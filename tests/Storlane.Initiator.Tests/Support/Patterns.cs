namespace Storlane.Initiator.Tests.Support;

internal static class Patterns
{
    /// <summary>Deterministic bytes that differ per block and per seed, so misplaced data shows.</summary>
    public static byte[] Make(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
