using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Storlane.Storage.Encryption;

/// <summary>
/// XTS-AES (IEEE 1619, NIST SP 800-38E) over whole data units (logical blocks, a multiple of 16
/// bytes, so no ciphertext stealing). The data unit sequence number is the LBA; the tweak is
/// E_K2(LBA as a 128-bit little-endian number), multiplied by alpha in GF(2^128) for each 16-byte
/// block. Each unit is one ECB call between two XORs with the tweak run.
/// </summary>
public sealed class XtsAes : IDisposable
{
    private const int BlockBytes = 16;
    private const int StackLimit = 4096;
    private readonly Aes _data;
    private readonly Aes _tweak;

    /// <param name="dataKey">K1: 16 or 32 bytes.</param>
    /// <param name="tweakKey">K2: same length as K1.</param>
    public XtsAes(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> tweakKey)
    {
        if (dataKey.Length is not (16 or 32) || tweakKey.Length != dataKey.Length)
        {
            throw new ArgumentException("XTS-AES takes two keys of 16 or 32 bytes each");
        }

        _data = Aes.Create();
        _data.Key = dataKey.ToArray();
        _tweak = Aes.Create();
        _tweak.Key = tweakKey.ToArray();
    }

    public void Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, ulong dataUnit) => Transform(plaintext, ciphertext, dataUnit, encrypt: true);

    public void Decrypt(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, ulong dataUnit) => Transform(ciphertext, plaintext, dataUnit, encrypt: false);

    private void Transform(ReadOnlySpan<byte> source, Span<byte> destination, ulong dataUnit, bool encrypt)
    {
        var length = source.Length;
        if (length == 0 || length % BlockBytes != 0 || destination.Length < length)
        {
            throw new ArgumentException("a data unit is a whole number of 16-byte blocks and the destination holds it");
        }

        byte[]? rented = null;
        var work = length <= StackLimit ? stackalloc byte[2 * StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(2 * length));
        try
        {
            var tweaks = work[..length];
            var scratch = work.Slice(length, length);
            FillTweaks(tweaks, dataUnit);
            Xor(source, tweaks, scratch);
            if (encrypt)
            {
                _data.EncryptEcb(scratch, destination, PaddingMode.None);
            }
            else
            {
                _data.DecryptEcb(scratch, destination, PaddingMode.None);
            }

            Xor(destination[..length], tweaks, destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    /// <summary>T_0 = E_K2(i); T_j+1 = T_j * alpha (shift left one bit, little-endian, fold 0x87 on carry).</summary>
    private void FillTweaks(Span<byte> tweaks, ulong dataUnit)
    {
        Span<byte> index = stackalloc byte[BlockBytes];
        index.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(index, dataUnit);
        _tweak.EncryptEcb(index, tweaks[..BlockBytes], PaddingMode.None);
        var low = BinaryPrimitives.ReadUInt64LittleEndian(tweaks);
        var high = BinaryPrimitives.ReadUInt64LittleEndian(tweaks[8..]);
        for (var offset = BlockBytes; offset < tweaks.Length; offset += BlockBytes)
        {
            var carry = high >> 63;
            high = (high << 1) | (low >> 63);
            low = (low << 1) ^ (carry * 0x87);
            BinaryPrimitives.WriteUInt64LittleEndian(tweaks[offset..], low);
            BinaryPrimitives.WriteUInt64LittleEndian(tweaks[(offset + 8)..], high);
        }
    }

    private static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> result)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= a.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                (new Vector<byte>(a[i..]) ^ new Vector<byte>(b[i..])).CopyTo(result[i..]);
            }
        }

        for (; i < a.Length; i++)
        {
            result[i] = (byte)(a[i] ^ b[i]);
        }
    }

    public void Dispose()
    {
        _data.Dispose();
        _tweak.Dispose();
    }
}
