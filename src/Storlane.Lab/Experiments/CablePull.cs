using System.Diagnostics;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Experiments;

/// <summary>
/// Pulls a server NIC's cable while a bench runs and puts it back: the moment run
/// <see cref="Run"/> begins, waits <see cref="PullAfter"/>, pulls, waits until
/// <see cref="RestoreAfter"/>, restores. The cable always goes back in, also on failure or cancellation.
/// </summary>
public sealed class CablePull(ILabTopology topology, int nic, int run, TimeSpan pullAfter, TimeSpan restoreAfter)
{
    public int Nic => nic;

    public int Run => run;

    public TimeSpan PullAfter => pullAfter;

    public TimeSpan RestoreAfter => restoreAfter;

    /// <summary>Seconds from the start of the run to the pull, as it happened (NaN until then).</summary>
    public double PulledAtSeconds { get; private set; } = double.NaN;

    /// <summary>Seconds from the start of the run to the restore, as it happened (NaN until then).</summary>
    public double RestoredAtSeconds { get; private set; } = double.NaN;

    public async Task RunAsync(LabProcess bench, CancellationToken cancellationToken)
    {
        var start = await ServerBench.WaitForRunStartAsync(bench, run, cancellationToken);
        var pulled = false;
        try
        {
            await DelayUntil(start, pullAfter, cancellationToken);
            PulledAtSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            pulled = true;
            await topology.SetServerNicAsync(nic, up: false, cancellationToken);
            await DelayUntil(start, restoreAfter, cancellationToken);
            RestoredAtSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            await topology.SetServerNicAsync(nic, up: true, cancellationToken);
            pulled = false;
        }
        finally
        {
            if (pulled)
            {
                await topology.SetServerNicAsync(nic, up: true, CancellationToken.None);
            }
        }
    }

    private static async Task DelayUntil(long start, TimeSpan at, CancellationToken cancellationToken)
    {
        var wait = at - Stopwatch.GetElapsedTime(start);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }
}
