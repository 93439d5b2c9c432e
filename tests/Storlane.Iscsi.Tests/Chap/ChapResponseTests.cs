using System.Text;
using Storlane.Iscsi.Chap;

namespace Storlane.Iscsi.Tests.Chap;

/// <summary>RFC 1994 4.1: Response = MD5(Identifier || secret || Challenge) for CHAP_A=5.</summary>
public class ChapResponseTests
{
    [Fact]
    public void Compute_IsMd5OfIdentifierSecretChallenge_Rfc1321Vector()
    {
        // Identifier 'a', secret "b", challenge "c" hash the octets "abc", whose MD5 is the RFC 1321
        // A.5 test-suite value 900150983cd24fb0d6963f7d28e17f72.
        var response = ChapResponse.Compute((byte)'a', "b"u8, "c"u8);

        Assert.Equal(Convert.FromHexString("900150983cd24fb0d6963f7d28e17f72"), response);
    }

    [Fact]
    public void Compute_MatchesIndependentlyComputedVector()
    {
        // Python: hashlib.md5(bytes([0x2a]) + b'initiator-secret-01' + bytes(range(16))).hexdigest()
        var challenge = new byte[16];
        for (var i = 0; i < challenge.Length; i++)
        {
            challenge[i] = (byte)i;
        }

        var response = ChapResponse.Compute(0x2a, Encoding.UTF8.GetBytes("initiator-secret-01"), challenge);

        Assert.Equal(Convert.FromHexString("48654b64870f7374ad430bac3989f1e7"), response);
    }

    [Fact]
    public void Compute_IntoSpan_SameAsArray()
    {
        Span<byte> destination = stackalloc byte[ChapResponse.Length];
        ChapResponse.Compute(0xff, "target-secret-0002"u8, Convert.FromHexString("0102030405060708090a0b0c0d0e0f10"), destination);

        Assert.Equal(Convert.FromHexString("d0751c70d391fc16b142494bb1a738e2"), destination.ToArray());
    }
}
