using System.Globalization;

namespace Storlane.Bench.Suites;

/// <summary>Durations as written in suites and on the command line: 500ms, 5s, 2m, or plain seconds.</summary>
public static class DurationText
{
    public const string Expected = "a duration such as 500ms, 5s, 1.5s or 2m";

    public static bool TryParseSeconds(string? text, out double seconds)
    {
        seconds = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().ToLowerInvariant();
        var (number, scale) = s.EndsWith("ms", StringComparison.Ordinal) ? (s[..^2], 0.001)
            : s.EndsWith('s') ? (s[..^1], 1.0)
            : s.EndsWith('m') ? (s[..^1], 60.0)
            : (s, 1.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            return false;
        }

        seconds = value * scale;
        return true;
    }
}
