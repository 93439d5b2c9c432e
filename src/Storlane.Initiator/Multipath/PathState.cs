namespace Storlane.Initiator.Multipath;

/// <summary>Where a path stands in health checking.</summary>
public enum PathState
{
    /// <summary>Carries I/O.</summary>
    Active,

    /// <summary>Took an error, a timeout or a failed probe; carries no I/O; probed and reconnected in the background.</summary>
    Failed,

    /// <summary>Answers again but must pass more probes before it is re-admitted (hysteresis against flapping).</summary>
    Probation,
}

/// <summary>A path changed state; <paramref name="Reason"/> says why.</summary>
public sealed record PathStateChange(string Path, PathState From, PathState To, string Reason);
