using System.Security.Cryptography;

namespace Storlane.Interop.Tests.Infrastructure;

internal static class TestData
{
    /// <summary>Writes <paramref name="bytes"/> of seeded random data: incompressible, never zero-detected, reproducible.</summary>
    public static async Task<string> WriteRandomFileAsync(string path, long bytes, int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[1 << 20];
        await using var file = File.Create(path);
        for (long written = 0; written < bytes; written += buffer.Length)
        {
            random.NextBytes(buffer);
            await file.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, bytes - written)));
        }

        return path;
    }

    public static async Task<string> Sha256Async(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexString(await SHA256.HashDataAsync(file));
    }

    public static void AssertSucceeded(CommandResult result) => Assert.True(result.ExitCode == 0, result.ToString());

    public static void AssertFailed(CommandResult result) => Assert.True(result.ExitCode != 0, $"expected a failure, but it succeeded:\n{result}");
}
