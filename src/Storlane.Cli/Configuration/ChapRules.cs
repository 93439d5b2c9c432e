using System.Text;

namespace Storlane.Cli.Configuration;

/// <summary>
/// CHAP credential rules from RFC 7143. 9.2.1: a secret of fewer than 96 random bits needs IPsec,
/// which Storlane does not provide, so secrets are at least 12 bytes. 9.2.1 also says a secret used
/// to authenticate initiators MUST NOT be used to authenticate a target, so the mutual secret must
/// differ from the one-way secret.
/// </summary>
public static class ChapRules
{
    public const int MinSecretBytes = 12;

    /// <summary>CHAP_N is a text value: RFC 7143 6.1 limits it to 255 bytes.</summary>
    public const int MaxUserBytes = 255;

    public static string? ValidateUser(string user)
    {
        if (user.Length == 0)
        {
            return "CHAP user cannot be empty";
        }

        return Encoding.UTF8.GetByteCount(user) > MaxUserBytes ? $"CHAP user is longer than {MaxUserBytes} bytes" : null;
    }

    public static string? ValidateSecret(string secret)
    {
        var bytes = Encoding.UTF8.GetByteCount(secret);
        return bytes < MinSecretBytes
            ? $"CHAP secret is {bytes} bytes; RFC 7143 9.2.1 needs at least {MinSecretBytes} bytes (96 bits) without IPsec"
            : null;
    }
}
