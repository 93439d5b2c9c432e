using Storlane.Bench.Metrics;
using Storlane.Initiator.Multipath;

namespace Storlane.Bench.Targets;

/// <summary>
/// A target reached over several paths. Its I/O errors do not end a run: the engine counts them
/// (<see cref="TestMeasurement.IoErrors"/>) and goes on, because measuring through path failures is
/// what a multipath run is for. The engine also records its failovers and per-path counters.
/// </summary>
public interface IMultipathTarget : IBenchTarget
{
    /// <summary>A failover completed (<see cref="MultipathDisk.FailoverCompleted"/>).</summary>
    event Action<FailoverEvent>? FailoverCompleted;

    /// <summary>Each path's counters since the target opened, and its state now.</summary>
    IReadOnlyList<PathCounters> SnapshotPaths();
}
