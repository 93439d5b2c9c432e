using System.Text;

namespace Storlane.Cli.Configuration;

/// <summary>
/// The three iSCSI name formats of RFC 7143 4.2.7.2 (names) and RFC 3720 3.2.6.3:
/// <c>iqn.yyyy-mm.reversed.domain[:anything]</c>, <c>eui.</c> + 16 hex digits (EUI-64),
/// <c>naa.</c> + 16 or 32 hex digits (NAA 64 or 128 bit). At most 223 bytes of UTF-8.
/// Characters allowed after RFC 3722 stringprep are ASCII dash, dot, colon, lower-case letters
/// and digits; upper case is refused rather than folded so that configured names compare equal
/// to what initiators send.
/// </summary>
public static class IscsiNameRules
{
    public const int MaxBytes = 223;

    /// <summary>Returns null when the name is valid, otherwise why it is not.</summary>
    public static string? Validate(string name)
    {
        if (name.Length == 0)
        {
            return "an iSCSI name cannot be empty";
        }

        if (Encoding.UTF8.GetByteCount(name) > MaxBytes)
        {
            return $"iSCSI name '{name}' is longer than {MaxBytes} bytes";
        }

        if (name.StartsWith("iqn.", StringComparison.Ordinal))
        {
            return ValidateIqn(name);
        }

        if (name.StartsWith("eui.", StringComparison.Ordinal))
        {
            return IsHex(name.AsSpan(4), 16) ? null : $"'{name}' is not a valid EUI name: expected 'eui.' and 16 hex digits";
        }

        if (name.StartsWith("naa.", StringComparison.Ordinal))
        {
            return IsHex(name.AsSpan(4), 16) || IsHex(name.AsSpan(4), 32)
                ? null
                : $"'{name}' is not a valid NAA name: expected 'naa.' and 16 or 32 hex digits";
        }

        return $"'{name}' is not an iSCSI name: it must start with 'iqn.', 'eui.' or 'naa.' (e.g. iqn.2026-11.io.storlane:disk1)";
    }

    private static string? ValidateIqn(string name)
    {
        const string Shape = "expected iqn.yyyy-mm.reversed.domain[:identifier], e.g. iqn.2026-11.io.storlane:disk1";
        var upper = name.FirstOrDefault(char.IsUpper);
        if (upper != default)
        {
            // Suggest the lower-case name only when it is valid; otherwise say what else is wrong with it.
            var lower = name.ToLowerInvariant();
            return ValidateIqn(lower) is { } further
                ? $"iSCSI name '{name}' has upper-case '{upper}': iSCSI names are lower case (RFC 3722); in lower case still: {further}"
                : $"iSCSI name '{name}' has upper-case '{upper}': iSCSI names are lower case (RFC 3722), write '{lower}'";
        }

        // "iqn." yyyy "-" mm "." : the date the naming authority owned the domain.
        var date = name.AsSpan(4);
        if (date.Length < 8 || !IsDigits(date[..4]) || date[4] != '-' || !IsDigits(date.Slice(5, 2)) || date[7] != '.')
        {
            return $"'{name}' is not a valid IQN: {Shape}";
        }

        var month = ((date[5] - '0') * 10) + (date[6] - '0');
        if (month is < 1 or > 12)
        {
            return $"'{name}' is not a valid IQN: month {date.Slice(5, 2)} is not 01..12";
        }

        var rest = name[12..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var authority = colon < 0 ? rest : rest[..colon];
        if (authority.Length == 0 || authority.Split('.').Any(label => label.Length == 0 || label.Any(c => !IsAsciiLowerOrDigit(c) && c != '-')))
        {
            return $"'{name}' is not a valid IQN: the naming authority '{authority}' must be a reversed domain name; {Shape}";
        }

        foreach (var c in rest)
        {
            if (!IsAllowed(c))
            {
                return $"'{name}' has a character not allowed in an iSCSI name: '{c}' (allowed: a-z, 0-9, '-', '.', ':')";
            }
        }

        return null;
    }

    private static bool IsAllowed(char c) => IsAsciiLowerOrDigit(c) || c is '-' or '.' or ':' || (c > 127 && char.IsLetterOrDigit(c));

    private static bool IsAsciiLowerOrDigit(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsHex(ReadOnlySpan<char> text, int length)
    {
        if (text.Length != length)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
