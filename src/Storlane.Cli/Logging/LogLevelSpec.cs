using Microsoft.Extensions.Logging;

namespace Storlane.Cli.Logging;

/// <summary>
/// What --log-level accepts: a level, optionally followed by per-category levels, e.g.
/// `info,Storlane.Target.Login=debug,Storlane.Target.Pdus=trace`. A category covers the categories
/// under it (Storlane.Target covers Storlane.Target.Login), as Microsoft.Extensions.Logging filters do.
/// </summary>
internal sealed record LogLevelSpec(LogLevel Default, IReadOnlyDictionary<string, LogLevel> Categories)
{
    public const string Syntax = "LEVEL[,CATEGORY=LEVEL...]";

    public static LogLevelSpec Of(LogLevel level) => new(level, new Dictionary<string, LogLevel>(StringComparer.Ordinal));

    public static bool TryParse(string text, out LogLevelSpec spec, out string error)
    {
        spec = Of(LogLevel.Information);
        error = "";
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (!ConsoleLogging.Levels.TryGetValue(parts[0], out var level))
        {
            error = $"'{parts[0]}' is not a log level; use one of {string.Join(", ", ConsoleLogging.Levels.Keys)}, then optionally ,CATEGORY=LEVEL";
            return false;
        }

        var categories = new Dictionary<string, LogLevel>(StringComparer.Ordinal);
        foreach (var part in parts.AsSpan(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var category = equals > 0 ? part[..equals].Trim() : "";
            if (category.Length == 0 || !ConsoleLogging.Levels.TryGetValue(part[(equals + 1)..].Trim(), out var categoryLevel))
            {
                error = $"'{part}' is not CATEGORY=LEVEL (for example Storlane.Target.Login=debug; levels: {string.Join(", ", ConsoleLogging.Levels.Keys)})";
                return false;
            }

            if (!categories.TryAdd(category, categoryLevel))
            {
                error = $"category '{category}' is given twice";
                return false;
            }
        }

        spec = new LogLevelSpec(level, categories);
        return true;
    }
}
