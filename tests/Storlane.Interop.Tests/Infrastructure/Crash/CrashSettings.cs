using System.Globalization;

namespace Storlane.Interop.Tests.Infrastructure.Crash;

/// <summary>
/// How long a crash run goes. CI runs a small slice; a long run sets the environment, e.g.
/// <c>STORLANE_CRASH_KILLS=1000 STORLANE_CRASH_SECONDS=3600</c> (bench/crash-consistency.sh).
/// </summary>
internal sealed record CrashSettings(int Kills, TimeSpan Budget, int Seed, string? ProgressFile)
{
    public static CrashSettings FromEnvironment() => new(
        Integer("STORLANE_CRASH_KILLS", 15),
        TimeSpan.FromSeconds(Integer("STORLANE_CRASH_SECONDS", 25)),
        Integer("STORLANE_CRASH_SEED", 7143),
        Environment.GetEnvironmentVariable("STORLANE_CRASH_PROGRESS") is { Length: > 0 } path ? path : null);

    private static int Integer(string name, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive whole number, got '{text}'");
    }
}
