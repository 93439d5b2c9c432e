using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Storlane.Cli.Logging;

/// <summary>The console logger `storlane serve` writes through: one line per event, with a timestamp.</summary>
internal static class ConsoleLogging
{
    /// <summary>The names --log-level accepts, mapped to <see cref="LogLevel"/>.</summary>
    public static readonly IReadOnlyDictionary<string, LogLevel> Levels = new Dictionary<string, LogLevel>(StringComparer.Ordinal)
    {
        ["trace"] = LogLevel.Trace,
        ["debug"] = LogLevel.Debug,
        ["info"] = LogLevel.Information,
        ["warning"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
        ["critical"] = LogLevel.Critical,
        ["none"] = LogLevel.None,
    };

    public static ILoggerFactory Create(LogLevelSpec levels) => LoggerFactory.Create(builder => Configure(builder, levels)
        // Warnings and errors go to stderr so stdout stays a clean record of what is served.
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Warning)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.IncludeScopes = false;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
        }));

    private static ILoggingBuilder Configure(ILoggingBuilder builder, LogLevelSpec levels)
    {
        builder.SetMinimumLevel(levels.Default);
        foreach (var (category, level) in levels.Categories)
        {
            builder.AddFilter(category, level);
        }

        return builder;
    }
}
