using Storlane.Initiator.Multipath;

namespace Storlane.Bench.Targets;

/// <summary>The policy names of a multipath target spec: kebab-case of <see cref="PathPolicy"/>, and short forms.</summary>
public static class PathPolicyNames
{
    private static readonly (PathPolicy Policy, string Name, string Short)[] Names =
    [
        (PathPolicy.FailoverOnly, "failover-only", "fo"),
        (PathPolicy.RoundRobin, "round-robin", "rr"),
        (PathPolicy.RoundRobinWithSubset, "round-robin-with-subset", "rrws"),
        (PathPolicy.LeastQueueDepth, "least-queue-depth", "lqd"),
        (PathPolicy.WeightedPaths, "weighted-paths", "wp"),
        (PathPolicy.LeastBlocks, "least-blocks", "lb"),
        (PathPolicy.ServiceTime, "service-time", "st"),
        (PathPolicy.AdaptiveLatency, "adaptive-latency", "al"),
    ];

    /// <summary>"failover-only (fo), round-robin (rr), ..." for help and error texts.</summary>
    public static string Expected { get; } = string.Join(", ", Names.Select(n => n.Name + " (" + n.Short + ")"));

    public static bool TryParse(string text, out PathPolicy policy)
    {
        foreach (var (candidate, name, shortName) in Names)
        {
            if (text.Equals(name, StringComparison.OrdinalIgnoreCase) || text.Equals(shortName, StringComparison.OrdinalIgnoreCase))
            {
                policy = candidate;
                return true;
            }
        }

        policy = default;
        return false;
    }

    /// <summary>The kebab-case name recorded in results (<c>pathPolicy</c>).</summary>
    public static string Name(PathPolicy policy)
    {
        foreach (var (candidate, name, _) in Names)
        {
            if (candidate == policy)
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown policy");
    }
}
