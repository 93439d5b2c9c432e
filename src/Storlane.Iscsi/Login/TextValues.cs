using System.Buffers;
using System.Globalization;
using System.Text;

namespace Storlane.Iscsi.Login;

/// <summary>Value encodings of RFC 7143 6.1: reserved constants, numbers, booleans, binary values, names.</summary>
internal static class TextValues
{
    public const string Yes = "Yes";
    public const string No = "No";
    public const string None = "None";
    public const string Reject = "Reject";
    public const string Irrelevant = "Irrelevant";
    public const string NotUnderstood = "NotUnderstood";

    /// <summary>iSCSI names are at most 223 bytes (RFC 7143 4.2.7.1).</summary>
    public const int MaxIscsiNameLength = 223;

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    private static readonly SearchValues<char> Base64Characters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    /// <summary>
    /// "The constants "None", "Reject", "Irrelevant", and "NotUnderstood" are reserved ... Violation of
    /// this rule is a protocol error (in particular the use of "Reject", "Irrelevant", and
    /// "NotUnderstood" as proposed values)." (6.2)
    /// </summary>
    public static bool IsReservedAnswer(string value) => value is Reject or Irrelevant or NotUnderstood;

    /// <summary>numerical-value: a decimal constant or a hex constant ("0x..."), below 2**64.</summary>
    public static bool TryParseNumber(string text, out ulong value)
    {
        value = 0;
        if (text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        {
            var digits = text.AsSpan(2);
            return !digits.ContainsAnyExcept(HexDigits)
                && ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        return text.Length > 0
            && !text.AsSpan().ContainsAnyExceptInRange('0', '9')
            && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>boolean-value: exactly "Yes" or "No" (values are case sensitive, 6.1).</summary>
    public static bool TryParseBoolean(string text, out bool value)
    {
        value = text == Yes;
        return value || text == No;
    }

    public static string FormatBoolean(bool value) => value ? Yes : No;

    public static string FormatNumber(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// binary-value as a hex constant ("0x", base16, most significant digit first; an odd digit count
    /// has an implied leading zero) or a base64 constant ("0b", RFC 4648 with padding).
    /// </summary>
    public static bool TryDecodeBinary(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length < 3 || text[0] != '0')
        {
            return false;
        }

        var body = text.AsSpan(2);
        switch (text[1])
        {
            case 'x' or 'X':
                if (body.ContainsAnyExcept(HexDigits))
                {
                    return false;
                }

                bytes = body.Length % 2 == 0 ? Convert.FromHexString(body) : Convert.FromHexString(string.Concat("0", body));
                return true;
            case 'b' or 'B':
                if (body.ContainsAnyExcept(Base64Characters))
                {
                    return false;
                }

                var buffer = new byte[(body.Length / 4 * 3) + 3];
                if (!Convert.TryFromBase64Chars(body, buffer, out var written))
                {
                    return false;
                }

                bytes = buffer.AsSpan(0, written).ToArray();
                return true;
            default:
                return false;
        }
    }

    /// <summary>Encodes a binary value as a lower-case hex constant ("0x...").</summary>
    public static string EncodeHex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>
    /// An iSCSI name: at most 223 bytes with an "iqn.", "eui." or "naa." type prefix (RFC 7143
    /// 4.2.7). Anything else cannot name an initiator or a target.
    /// </summary>
    public static bool IsValidIscsiName(string name) =>
        name.Length > 4
        && Encoding.UTF8.GetByteCount(name) <= MaxIscsiNameLength
        && (name.StartsWith("iqn.", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("eui.", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("naa.", StringComparison.OrdinalIgnoreCase));

    /// <summary>Splits a list-of-values (comma separated, 6.1).</summary>
    public static string[] SplitList(string value) => value.Split(',');
}
