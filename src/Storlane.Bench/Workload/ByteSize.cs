using System.Globalization;

namespace Storlane.Bench.Workload;

/// <summary>
/// Sizes as storage tools write them: 512, 4K, 4KiB, 4KB, 1M, 128K, 1GiB. Every multiplier is
/// binary (4K = 4KB = 4096), as in fio, Iometer and Anvil, where "4K" always means 4096 bytes.
/// </summary>
public static class ByteSize
{
    public const string Expected = "a whole number of bytes, or a whole number with K, M, G or T (KiB/KB, ...; all binary)";

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var end = 0;
        while (end < s.Length && char.IsAsciiDigit(s[end]))
        {
            end++;
        }

        if (end == 0 || !long.TryParse(s.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var shift = s[end..].ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => -1,
        };
        if (shift < 0 || number > long.MaxValue >> shift)
        {
            return false;
        }

        bytes = number << shift;
        return true;
    }

    public static long Parse(string text) =>
        TryParse(text, out var bytes) ? bytes : throw new FormatException($"'{text}' is not a size: expected {Expected}");

    /// <summary>Shortest exact form: 4096 -> 4K, 1048576 -> 1M, 1000 -> 1000.</summary>
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
}
