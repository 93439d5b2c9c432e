using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Storlane.Protocol.Scsi;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>Each area logs under its own category, and connection lines carry the connection's number.</summary>
public sealed class LogCategoryTests
{
    [Fact]
    public async Task WireTrace_IsUnderItsOwnCategory_OneLinePerPduEachWay_NumberedByConnection()
    {
        var logs = new CategoryRecorder(traceCategory: "Storlane.Target.Pdus");
        await using var target = await LoopbackTarget.StartAsync(new LoopbackTargetOptions { LoggerFactory = logs });
        await using (var client = await target.LoginAsync(0))
        {
            var read = await client.ReadAsync(ScsiCdb.Read10(0, 8).ToArray(), 0, 4096);
            Assert.Equal(0, read.Status);
        }

        await Eventually.TrueAsync(() => logs.Lines("Storlane.Target.Connections").Any(l => l.Contains("closed", StringComparison.Ordinal)));
        var pdus = logs.Lines("Storlane.Target.Pdus");
        var connection = logs.Lines("Storlane.Target.Connections").First(l => l.StartsWith("Connection ", StringComparison.Ordinal)).Split(' ')[1];
        Assert.Contains(pdus, l => l.StartsWith($"connection {connection} <- LoginRequest ITT ", StringComparison.Ordinal));
        Assert.Contains(pdus, l => l.StartsWith($"connection {connection} -> LoginResponse ", StringComparison.Ordinal));
        Assert.Contains(pdus, l => l.StartsWith($"connection {connection} <- ScsiCommand ", StringComparison.Ordinal));
        Assert.Contains(pdus, l => l.StartsWith($"connection {connection} -> DataIn ", StringComparison.Ordinal) && l.EndsWith(" data 4096", StringComparison.Ordinal));
        Assert.Contains(logs.Lines("Storlane.Target.Login"), l => l.Contains($"connection {connection} from", StringComparison.Ordinal));

        // The trace stays in its category: no other category was asked for trace and none wrote any.
        Assert.DoesNotContain(logs.Entries, e => e.Level == LogLevel.Trace && e.Category != "Storlane.Target.Pdus");
    }

    [Fact]
    public async Task WithoutTrace_NoPduLineIsWritten()
    {
        var logs = new CategoryRecorder(traceCategory: null);
        await using var target = await LoopbackTarget.StartAsync(new LoopbackTargetOptions { LoggerFactory = logs });
        await using (var client = await target.LoginAsync(0))
        {
            Assert.Equal(0, (await client.ReadAsync(ScsiCdb.Read10(0, 8).ToArray(), 0, 4096)).Status);
        }

        Assert.NotEmpty(logs.Lines("Storlane.Target.Login"));
        Assert.Empty(logs.Lines("Storlane.Target.Pdus"));
    }

    /// <summary>Records every entry with its category; trace only for the one category asked for, as a filter would.</summary>
    private sealed class CategoryRecorder(string? traceCategory) : ILoggerFactory
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public IReadOnlyList<string> Lines(string category) => [.. Entries.Where(e => e.Category == category).Select(e => e.Message)];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName, categoryName == traceCategory ? LogLevel.Trace : LogLevel.Debug);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(CategoryRecorder recorder, string category, LogLevel minimum) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    recorder.Entries.Enqueue((category, logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
