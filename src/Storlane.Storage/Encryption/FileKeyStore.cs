using System.Security.Cryptography;
using System.Text;

namespace Storlane.Storage.Encryption;

/// <summary>
/// The key in a file beside the LUN image (IMAGE.key), readable by its owner only. The file is
/// "STLNKEY1" and 64 key bytes. Replacing writes a temporary file, flushes it, renames it over the
/// old one and flushes the directory, so a crash leaves the old key or the new one. Keeping the key
/// beside the data gives crypto erase, not confidentiality against whoever can read both files.
/// </summary>
public sealed class FileKeyStore : ILunKeyStore
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("STLNKEY1");

    public FileKeyStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    public static string ForImage(string imagePath) => System.IO.Path.GetFullPath(imagePath) + ".key";

    public bool Exists => File.Exists(Path);

    public byte[] LoadOrCreate()
    {
        if (!File.Exists(Path))
        {
            var key = RandomNumberGenerator.GetBytes(ILunKeyStore.KeyBytes);
            Replace(key);
            return key;
        }

        var bytes = File.ReadAllBytes(Path);
        if (bytes.Length != Magic.Length + ILunKeyStore.KeyBytes || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"key file '{Path}' is not a Storlane LUN key ({bytes.Length} bytes)");
        }

        return bytes[Magic.Length..];
    }

    public void Replace(ReadOnlySpan<byte> key)
    {
        if (key.Length != ILunKeyStore.KeyBytes)
        {
            throw new ArgumentException($"a LUN key is {ILunKeyStore.KeyBytes} bytes", nameof(key));
        }

        Span<byte> content = stackalloc byte[Magic.Length + ILunKeyStore.KeyBytes];
        Magic.CopyTo(content);
        key.CopyTo(content[Magic.Length..]);
        DurableFile.Replace(Path, content, ownerOnly: true);
        CryptographicOperations.ZeroMemory(content);
    }
}
