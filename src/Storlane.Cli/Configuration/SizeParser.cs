using System.Globalization;

namespace Storlane.Cli.Configuration;

/// <summary>
/// Parses LUN sizes: plain bytes (<c>1073741824</c>) or a whole number with a binary unit
/// (<c>B</c>, <c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c>). Decimal units (<c>GB</c>) are refused
/// rather than guessed, because 1 GB and 1 GiB differ by 7% and a LUN's size must be exact.
/// </summary>
public static class SizeParser
{
    private static readonly (string Unit, long Multiplier)[] Units =
    [
        ("TiB", 1L << 40),
        ("GiB", 1L << 30),
        ("MiB", 1L << 20),
        ("KiB", 1L << 10),
        ("B", 1),
    ];

    public const string Expected = "a whole number of bytes, or a whole number with B, KiB, MiB, GiB or TiB";

    public static bool TryParse(string text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        var trimmed = text.Trim();
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
        long multiplier = 1;
        if (unitText.Length > 0)
        {
            var unit = Array.Find(Units, u => string.Equals(u.Unit, unitText, StringComparison.OrdinalIgnoreCase));
            if (unit.Unit is null)
            {
                error = IsDecimalUnit(unitText)
                    ? $"bad size '{text}': '{unitText}' is ambiguous; use binary units (KiB, MiB, GiB, TiB)"
                    : $"bad size '{text}': unknown unit '{unitText}'; expected {Expected}";
                return false;
            }

            multiplier = unit.Multiplier;
        }

        if (!long.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            error = $"bad size '{text}': the number is too large";
            return false;
        }

        try
        {
            bytes = checked(count * multiplier);
        }
        catch (OverflowException)
        {
            error = $"bad size '{text}': too large";
            return false;
        }

        if (bytes <= 0)
        {
            error = $"bad size '{text}': a LUN needs at least one block";
            return false;
        }

        return true;
    }

    /// <summary>Formats bytes with the largest binary unit that divides them exactly.</summary>
    public static string Format(long bytes)
    {
        foreach (var (unit, multiplier) in Units)
        {
            if (bytes >= multiplier && bytes % multiplier == 0)
            {
                return $"{bytes / multiplier} {unit}";
            }
        }

        return $"{bytes} B";
    }

    private static bool IsDecimalUnit(string unit) =>
        unit.ToUpperInvariant() is "K" or "M" or "G" or "T" or "KB" or "MB" or "GB" or "TB";
}
