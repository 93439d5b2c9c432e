using System.Globalization;
using Storlane.Lab.Processes;

namespace Storlane.Lab.Topology.Namespaces;

/// <summary>
/// Removes lab namespaces: at creation, the leftovers of earlier runs whose PID is dead (a run
/// killed with SIGKILL could not clean up); at disposal, the run's own. Processes still inside a
/// namespace are killed by PID first, since deleting a namespace does not end them.
/// </summary>
internal static class LeftoverSweeper
{
    public static async Task SweepAsync(CancellationToken cancellationToken)
    {
        var list = await HostCommand.RunAsync("ip", ["netns", "list"], cancellationToken).ConfigureAwait(false);
        foreach (var name in NamesIn(list))
        {
            if (NamespacePlan.OwnerPid(name) is { } pid && pid != Environment.ProcessId && !PosixSignals.IsAlive(pid))
            {
                await Task.Run(() => Remove(name), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Kills what runs in <paramref name="namespaceName"/> and deletes it; a namespace already gone is fine.</summary>
    public static void Remove(string namespaceName)
    {
        try
        {
            var pids = HostCommand.Run("ip", ["netns", "pids", namespaceName]);
            foreach (var line in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    PosixSignals.Send(pid, PosixSignals.SigKill);
                }
            }
        }
        catch (LabTopologyException)
        {
            // No such namespace any more, or nothing to list.
        }

        try
        {
            HostCommand.Run("ip", ["netns", "del", namespaceName]);
        }
        catch (LabTopologyException) when (!Exists(namespaceName))
        {
            // Already gone.
        }
    }

    /// <summary>The namespace names in `ip netns list` output ("name (id: 3)" per line).</summary>
    public static IEnumerable<string> NamesIn(string listOutput)
    {
        foreach (var line in listOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            yield return space < 0 ? line : line[..space];
        }
    }

    private static bool Exists(string namespaceName) => File.Exists("/var/run/netns/" + namespaceName);
}
