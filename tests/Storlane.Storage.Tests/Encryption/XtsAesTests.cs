using Storlane.Storage.Encryption;

namespace Storlane.Storage.Tests.Encryption;

/// <summary>IEEE 1619-2007 Annex B test vectors, and the properties the LUN encryption relies on.</summary>
public sealed class XtsAesTests
{
    [Theory]
    [InlineData("00000000000000000000000000000000", "00000000000000000000000000000000", 0UL,
        "0000000000000000000000000000000000000000000000000000000000000000",
        "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e")] // vector 1
    [InlineData("11111111111111111111111111111111", "22222222222222222222222222222222", 0x3333333333UL,
        "4444444444444444444444444444444444444444444444444444444444444444",
        "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0")] // vector 2
    [InlineData("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0", "22222222222222222222222222222222", 0x3333333333UL,
        "4444444444444444444444444444444444444444444444444444444444444444",
        "af85336b597afc1a900b2eb21ec949d292df4c047e0b21532186a5971a227a89")] // vector 3
    public void Ieee1619Vectors_EncryptAndDecrypt(string key1, string key2, ulong dataUnit, string plaintext, string ciphertext)
    {
        using var xts = new XtsAes(Convert.FromHexString(key1), Convert.FromHexString(key2));
        var plain = Convert.FromHexString(plaintext);
        var encrypted = new byte[plain.Length];

        xts.Encrypt(plain, encrypted, dataUnit);
        Assert.Equal(ciphertext, Convert.ToHexStringLower(encrypted));

        var decrypted = new byte[plain.Length];
        xts.Decrypt(encrypted, decrypted, dataUnit);
        Assert.Equal(plain, decrypted);
    }

    [Fact]
    public void A4096ByteBlock_RoundTripsInPlace_AndDiffersPerLba()
    {
        using var xts = new XtsAes(new byte[32], Enumerable.Repeat((byte)7, 32).ToArray());
        var plain = new byte[4096];
        new Random(5).NextBytes(plain);
        var atLba1 = (byte[])plain.Clone();
        var atLba2 = (byte[])plain.Clone();

        xts.Encrypt(atLba1, atLba1, 1);
        xts.Encrypt(atLba2, atLba2, 2);
        Assert.NotEqual(atLba1, atLba2);

        xts.Decrypt(atLba1, atLba1, 1);
        Assert.Equal(plain, atLba1);
    }

    [Fact]
    public void UnequalKeyLengths_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => new XtsAes(new byte[32], new byte[16]));
    }
}
