namespace Storlane.Bench.Workload;

/// <summary>What written blocks contain: matters to targets that compress or deduplicate.</summary>
public enum DataPattern
{
    /// <summary>Pseudo-random bytes: incompressible.</summary>
    Random,

    /// <summary>All zeros: the best case for thin provisioning and compression.</summary>
    Zeros,

    /// <summary><see cref="WorkloadSpec.CompressiblePercent"/> of every 4 KiB is zeros, the rest random.</summary>
    Compressible,
}
