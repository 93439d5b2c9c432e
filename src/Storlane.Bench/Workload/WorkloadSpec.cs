namespace Storlane.Bench.Workload;

/// <summary>
/// Everything that defines one test: what I/O to issue, how much of it at once, where, and for how
/// long. Every field is written to the result file (docs/bench.md documents each).
/// </summary>
public sealed record WorkloadSpec
{
    /// <summary>The access specification: one line for a plain workload, several for a weighted mix.</summary>
    public required IReadOnlyList<AccessLine> Access { get; init; }

    /// <summary>Outstanding I/Os per worker, held constant for the whole test.</summary>
    public int QueueDepth { get; init; } = 1;

    /// <summary>Independent workers (CrystalDiskMark's T, fio's numjobs), each with its own queue.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Offsets are multiples of this many bytes; 0 means the I/O's own size (Iometer's default "align on I/O size").</summary>
    public long Alignment { get; init; }

    /// <summary>Start of the region tested, in bytes from the start of the target.</summary>
    public long RegionOffset { get; init; }

    /// <summary>Length of the region tested; 0 means up to the end of the target.</summary>
    public long RegionLength { get; init; }

    /// <summary>Measured time in seconds (after the warm-up); ignored when <see cref="IoCount"/> is set.</summary>
    public double DurationSeconds { get; init; } = 5;

    /// <summary>Stop after this many measured I/Os instead of after a duration.</summary>
    public long? IoCount { get; init; }

    /// <summary>Time the workload runs before measuring starts (caches fill, queues settle).</summary>
    public double WarmUpSeconds { get; init; }

    /// <summary>Upper bound on I/Os per second over all workers; null for unlimited.</summary>
    public double? RateLimitIops { get; init; }

    /// <summary>Upper bound on bytes per second over all workers; null for unlimited.</summary>
    public double? RateLimitBytesPerSecond { get; init; }

    /// <summary>Pause after each completion before the slot issues its next I/O, in milliseconds.</summary>
    public double ThinkTimeMs { get; init; }

    public DataPattern Pattern { get; init; } = DataPattern.Random;

    /// <summary>Share of each 4 KiB that is zeros when <see cref="Pattern"/> is compressible.</summary>
    public int CompressiblePercent { get; init; } = 50;

    /// <summary>Stamp every written block and check every block read (header, offset and checksum).</summary>
    public bool Verify { get; init; }

    /// <summary>Seed of the offset and data generators, so a run can be repeated exactly.</summary>
    public int Seed { get; init; } = 1;

    public int MaxBlockSize
    {
        get
        {
            var max = 0;
            foreach (var line in Access)
            {
                max = Math.Max(max, line.BlockSize);
            }

            return max;
        }
    }

    /// <summary>A spec with one access line.</summary>
    public static WorkloadSpec Simple(int blockSize, int readPercent, int randomPercent, int queueDepth = 1, int workers = 1) => new()
    {
        Access = [new AccessLine { BlockSize = blockSize, ReadPercent = readPercent, RandomPercent = randomPercent }],
        QueueDepth = queueDepth,
        Workers = workers,
    };
}
