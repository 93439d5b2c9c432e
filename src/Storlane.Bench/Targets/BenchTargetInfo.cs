using System.Text.Json.Serialization;

namespace Storlane.Bench.Targets;

/// <summary>The target's identity and geometry, recorded in every result file.</summary>
public sealed record BenchTargetInfo
{
    /// <summary>The target as given on the command line, without secrets.</summary>
    public required string Spec { get; init; }

    /// <summary>memory, file, block-device, iscsi or multipath.</summary>
    public required string Kind { get; init; }

    public required int LogicalBlockSize { get; init; }

    public required int PhysicalBlockSize { get; init; }

    public required long BlockCount { get; init; }

    public long SizeBytes => BlockCount * LogicalBlockSize;

    /// <summary>iSCSI portals used ("host:port"), in the multipath disk's path order; the names of <see cref="Metrics.TestMeasurement.Paths"/>.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Multipath policy in kebab-case (<see cref="PathPolicyNames"/>), or null for a single path.</summary>
    public string? PathPolicy { get; init; }

    /// <summary>True when a file target bypasses the page cache (O_DIRECT).</summary>
    public bool DirectIo { get; init; }

    /// <summary>
    /// True when this bench run made the target itself (a memory device, a file that did not exist):
    /// it holds no one's data, so write tests need no <c>--write</c> (<see cref="Engine.WriteGuard"/>).
    /// Not in the result file: it says nothing about the measurement.
    /// </summary>
    [JsonIgnore]
    public bool CreatedByBench { get; init; }
}
