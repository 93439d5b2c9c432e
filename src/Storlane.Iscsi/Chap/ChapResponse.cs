using System.Buffers;
using System.Security.Cryptography;

namespace Storlane.Iscsi.Chap;

/// <summary>
/// The CHAP response of RFC 1994 4.1: "The Response Value is the one-way hash calculated over a
/// stream of octets consisting of the Identifier, followed by (concatenated with) the "secret",
/// followed by (concatenated with) the Challenge Value." With CHAP_A=5 the hash is MD5.
/// </summary>
public static class ChapResponse
{
    /// <summary>Length of an MD5 response in bytes.</summary>
    public const int Length = 16;

    public static byte[] Compute(byte id, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> challenge)
    {
        var hash = new byte[Length];
        Compute(id, secret, challenge, hash);
        return hash;
    }

    /// <summary>Writes the 16-byte response into <paramref name="destination"/>.</summary>
    public static void Compute(byte id, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> challenge, Span<byte> destination)
    {
        var length = 1 + secret.Length + challenge.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer[0] = id;
            secret.CopyTo(buffer.AsSpan(1));
            challenge.CopyTo(buffer.AsSpan(1 + secret.Length));
            MD5.HashData(buffer.AsSpan(0, length), destination);
        }
        finally
        {
            // The buffer held the secret.
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
