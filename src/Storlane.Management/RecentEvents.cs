using Microsoft.Extensions.Logging;

namespace Storlane.Management;

/// <summary>One event kept for GET /api/v1/events.</summary>
public sealed record RecentEvent(DateTimeOffset Time, string Level, string Category, int EventId, string? EventName, string Message);

/// <summary>
/// The last <see cref="Capacity"/> warnings and errors serve logged (refused logins, CHAP failures,
/// digest and protocol errors, ping timeouts, failed binds) and the informational events an
/// administrator reads a failover from (ALUA state changes, sessions reinstated or ended from
/// management, LUNs taken offline): what went wrong recently, without the log file. A logger
/// provider beside the console, so nothing is logged twice in the code. Bounded: a fixed ring, each
/// message cut at <see cref="MaxMessageChars"/>.
/// </summary>
public sealed class RecentEvents : ILoggerProvider
{
    public const int Capacity = 256;
    public const int MaxMessageChars = 1024;

    /// <summary>Information-level events that mark a path or availability change (TargetLog's names).</summary>
    private static readonly HashSet<string> PathEvents = new(StringComparer.Ordinal)
    {
        "SessionReinstated", "PortalGroupStateSet", "SessionEndedByManagement", "LunOfflineSet", "LunRemoved", "PingTimeout",
    };

    private readonly RecentEvent?[] _ring = new RecentEvent?[Capacity];
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _written;

    public RecentEvents(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>The kept events, oldest first.</summary>
    public IReadOnlyList<RecentEvent> Snapshot()
    {
        lock (_lock)
        {
            var count = (int)Math.Min(_written, Capacity);
            var events = new List<RecentEvent>(count);
            for (var i = _written - count; i < _written; i++)
            {
                events.Add(_ring[i % Capacity]!);
            }

            return events;
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private static bool Keeps(LogLevel level, EventId eventId) =>
        level >= LogLevel.Warning && level != LogLevel.None
        || level == LogLevel.Information && eventId.Name is { } name && PathEvents.Contains(name);

    private void Add(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        if (exception is not null)
        {
            message += ": " + exception.Message;
        }

        if (message.Length > MaxMessageChars)
        {
            message = string.Concat(message.AsSpan(0, MaxMessageChars - 3), "...");
        }

        var entry = new RecentEvent(_time.GetUtcNow(), level.ToString(), category, eventId.Id, eventId.Name, message);
        lock (_lock)
        {
            _ring[_written % Capacity] = entry;
            _written++;
        }
    }

    private sealed class Logger(RecentEvents events, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Keeps(logLevel, eventId))
            {
                events.Add(logLevel, category, eventId, formatter(state, exception), exception);
            }
        }
    }
}
