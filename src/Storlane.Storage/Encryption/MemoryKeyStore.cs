using System.Security.Cryptography;

namespace Storlane.Storage.Encryption;

/// <summary>A key that lives as long as the process, for RAM LUNs (whose data does not outlive it either).</summary>
public sealed class MemoryKeyStore : ILunKeyStore
{
    private byte[]? _key;

    public byte[] LoadOrCreate() => _key ??= RandomNumberGenerator.GetBytes(ILunKeyStore.KeyBytes);

    public void Replace(ReadOnlySpan<byte> key) => _key = key.ToArray();
}
