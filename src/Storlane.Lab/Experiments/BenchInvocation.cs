using System.Globalization;

namespace Storlane.Lab.Experiments;

/// <summary>One <c>storlane bench</c> run on the server host: its targets, suite and outputs, as command-line arguments.</summary>
public sealed record BenchInvocation
{
    /// <summary>One target, or two to compare (their runs interleave A B B A).</summary>
    public required IReadOnlyList<string> Targets { get; init; }

    /// <summary><c>anvil</c>, <c>cdm</c> or a YAML suite file.</summary>
    public required string Suite { get; init; }

    /// <summary>Rows of the suite, for the time the run should take.</summary>
    public required int Tests { get; init; }

    public int Repeat { get; init; } = 1;

    /// <summary>Measured seconds per run (built-in suites; a YAML suite sets its own).</summary>
    public double DurationSeconds { get; init; } = 1;

    public double WarmUpSeconds { get; init; }

    public required string JsonPath { get; init; }

    public string? HtmlPath { get; init; }

    /// <summary>Time-series interval; null keeps the bench's one second.</summary>
    public double? SampleIntervalMs { get; init; }

    /// <summary>What the runs alone take, without process start and logins.</summary>
    public TimeSpan ExpectedDuration => TimeSpan.FromSeconds(Tests * Targets.Count * Repeat * (DurationSeconds + WarmUpSeconds));

    public IReadOnlyList<string> ToArguments()
    {
        var arguments = new List<string> { "bench" };
        foreach (var target in Targets)
        {
            arguments.Add("--target");
            arguments.Add(target);
        }

        // --write: the lab's LUNs are RAM LUNs it made for this run; no one's data is on them.
        arguments.AddRange(["--write", "--suite", Suite, "--repeat", Number(Repeat), "--duration", Number(DurationSeconds) + "s", "--warmup", Number(WarmUpSeconds) + "s", "--json", JsonPath]);
        if (HtmlPath is not null)
        {
            arguments.AddRange(["--html", HtmlPath]);
        }

        if (SampleIntervalMs is { } interval)
        {
            arguments.AddRange(["--sample-interval", Number(interval) + "ms"]);
        }

        return arguments;
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
