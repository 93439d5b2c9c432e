using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Storlane.Storage;

/// <summary>
/// The one size syntax of Storlane (config, <c>storlane disk</c>, bench targets and suites, <c>io</c>):
/// plain bytes, or a whole number with a binary unit. <c>K</c>, <c>M</c>, <c>G</c>, <c>T</c> and
/// <c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c> are powers of 1024 (1G = 1GiB = 2^30 bytes), as
/// qemu-img, truncate, dd and fio read them. <c>KB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c> are refused:
/// to some tools they are powers of 1000, to others of 1024, and a size must be exact.
/// </summary>
public static class ByteSize
{
    public const string Expected = "a whole number of bytes, or a whole number with K, M, G or T (or KiB, MiB, GiB, TiB; all binary: 1G = 1GiB = 2^30 bytes)";

    private static readonly (string Unit, int Shift)[] Units =
    [
        ("TiB", 40), ("T", 40),
        ("GiB", 30), ("G", 30),
        ("MiB", 20), ("M", 20),
        ("KiB", 10), ("K", 10),
        ("B", 0),
    ];

    /// <summary>Parses <paramref name="text"/> (zero allowed); on failure <paramref name="error"/> is one line saying why.</summary>
    public static bool TryParse(string? text, out long bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = 0;
        var trimmed = (text ?? string.Empty).Trim();
        var digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            error = $"bad size '{text}': expected {Expected}";
            return false;
        }

        var unitText = trimmed[digits..].TrimStart();
        var shift = 0;
        if (unitText.Length > 0)
        {
            var unit = Array.Find(Units, u => string.Equals(u.Unit, unitText, StringComparison.OrdinalIgnoreCase));
            if (unit.Unit is null)
            {
                error = IsDecimalUnit(unitText)
                    ? $"bad size '{text}': '{unitText}' is ambiguous (powers of 1000 or of 1024?); write {trimmed[..digits]}{char.ToUpperInvariant(unitText[0])} or {trimmed[..digits]}{char.ToUpperInvariant(unitText[0])}iB (binary), or the number of bytes"
                    : $"bad size '{text}': unknown unit '{unitText}'; expected {Expected}";
                return false;
            }

            shift = unit.Shift;
        }

        if (!long.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count > long.MaxValue >> shift)
        {
            error = $"bad size '{text}': too large";
            return false;
        }

        bytes = count << shift;
        error = null;
        return true;
    }

    /// <summary>As <see cref="TryParse(string?, out long, out string?)"/>, and zero is refused too.</summary>
    public static bool TryParsePositive(string? text, out long bytes, [NotNullWhen(false)] out string? error)
    {
        if (!TryParse(text, out bytes, out error))
        {
            return false;
        }

        if (bytes == 0)
        {
            error = $"bad size '{text}': must be above zero";
            return false;
        }

        return true;
    }

    public static bool TryParse(string? text, out long bytes) => TryParse(text, out bytes, out _);

    public static long Parse(string text) =>
        TryParse(text, out var bytes, out var error) ? bytes : throw new FormatException(error);

    /// <summary>Shortest exact form, for tables and test names: 4096 -> 4K, 1048576 -> 1M, 1000 -> 1000.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["", "K", "M", "G", "T"];
        var unit = 0;
        while (bytes != 0 && unit < units.Length - 1 && bytes % 1024 == 0)
        {
            bytes /= 1024;
            unit++;
        }

        return bytes.ToString(CultureInfo.InvariantCulture) + units[unit];
    }

    /// <summary>For people: the largest binary unit that divides the size exactly, 1 GiB, 1536 MiB, 1000 B.</summary>
    public static string Describe(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (bytes != 0 && unit < units.Length - 1 && bytes % 1024 == 0)
        {
            bytes /= 1024;
            unit++;
        }

        return bytes.ToString(CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static bool IsDecimalUnit(string unit) =>
        unit.ToUpperInvariant() is "KB" or "MB" or "GB" or "TB" or "PB";
}
