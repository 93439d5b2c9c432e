namespace Storlane.Initiator.Port;

/// <summary>Queueing, back-off and timeout settings of a <see cref="ScsiPort"/> (Storport's defaults where it has one).</summary>
public sealed class PortOptions
{
    /// <summary>Storport's per-LUN default: at most 254 commands outstanding on one LU. There is no adapter-wide cap.</summary>
    public const int DefaultMaxQueueDepthPerLun = 254;

    public int MaxQueueDepthPerLun { get; init; } = DefaultMaxQueueDepthPerLun;

    /// <summary>First back-off after BUSY or TASK SET FULL; it doubles while the LU keeps answering so.</summary>
    public TimeSpan BusyBackoff { get; init; } = TimeSpan.FromMilliseconds(10);

    public TimeSpan MaxBusyBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many times one command is retried after BUSY or TASK SET FULL before that status is returned.</summary>
    public int BusyRetries { get; init; } = 50;

    /// <summary>Good completions, after a queue-full cut, for each step of one back up to the configured depth.</summary>
    public int DepthRecoveryCompletions { get; init; } = 32;

    /// <summary>A command outstanding longer than this starts the reset ladder; zero turns timeouts off.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often outstanding commands are checked against <see cref="CommandTimeout"/> (Storport: a 1 s tick).</summary>
    public TimeSpan TimeoutScanInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long each ladder step (ABORT TASK, LU RESET, TARGET WARM RESET) may take before the next is tried.</summary>
    public TimeSpan ResetStepTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The clock of busy back-offs, command timeouts and ladder steps (tests pass a fake one to step it).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
