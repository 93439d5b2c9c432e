using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>What every <c>storlane lab</c> experiment is told: size of the run, kind and rate of links, repeats, where to write.</summary>
public sealed record LabRunOptions
{
    /// <summary>CI-sized: about a second per row and two repeats.</summary>
    public bool Short { get; init; }

    public LabLinkPreference Links { get; init; } = LabLinkPreference.Auto;

    /// <summary>Rate of every link; null takes the experiment's default (the seed's hardware).</summary>
    public long? LinkBitsPerSecond { get; init; }

    /// <summary>Runs per test; null takes 2 in short mode, 3 otherwise.</summary>
    public int? Repeat { get; init; }

    /// <summary>Measured seconds per run; null takes 1 s in short mode, 5 s otherwise.</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>Folder for the reports (created); every experiment prints it.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The command line that started the experiment, recorded in the report.</summary>
    public string CommandLine { get; init; } = "";

    public int RepeatOrDefault => Repeat ?? (Short ? 2 : 3);

    public double DurationOrDefault => DurationSeconds ?? (Short ? 1 : 5);

    public long RateOr(long experimentDefault) => LinkBitsPerSecond ?? experimentDefault;
}
