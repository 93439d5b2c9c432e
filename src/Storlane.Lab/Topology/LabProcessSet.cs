using System.Diagnostics;
using System.Net;
using Storlane.Lab.Processes;

namespace Storlane.Lab.Topology;

/// <summary>
/// The storlane children one topology started (targets, benches), each through its host's
/// wrapper (e.g. <c>ip netns exec NAME</c>, or none), and their orderly stop when the topology is
/// disposed: SIGTERM by PID to all at once, SIGKILL to any still running after
/// <see cref="LabProcess.DefaultGrace"/>. <see cref="LabProcess.Start"/> records each child for the
/// sweep of dead runs and tracks it for the signal and process-exit cleanup.
/// </summary>
internal sealed class LabProcessSet
{
    private readonly StorlaneExecutable _storlane;
    private readonly object _owner;
    private readonly List<LabProcess> _processes = [];
    private readonly Lock _gate = new();
    private int _closed;

    /// <param name="owner">The topology, named by the <see cref="ObjectDisposedException"/> a start after closing throws.</param>
    public LabProcessSet(StorlaneExecutable storlane, object owner)
    {
        _storlane = storlane;
        _owner = owner;
    }

    /// <summary>True once the owner is disposed or cleaned up: nothing new may start.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>
    /// <c>storlane serve --config FILE</c> (run in the config's folder); returns once every one of
    /// <paramref name="portals"/> accepts TCP on <paramref name="storageHost"/>, and stops the
    /// target again when it never does.
    /// </summary>
    public async Task<LabProcess> StartTargetAsync(IReadOnlyList<string> wrapper, string configPath, IReadOnlyList<IPEndPoint> portals, ILabHostAccess storageHost, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        var fullPath = Path.GetFullPath(configPath);
        // The target's files stay in the run's folder, beside its config, not in the user's data folder.
        var folder = Path.GetDirectoryName(fullPath) ?? Environment.CurrentDirectory;
        var info = _storlane.CreateStartInfo(wrapper, ["serve", "--config", fullPath, "--data-dir", folder]);
        info.WorkingDirectory = folder;
        var target = Start(info);
        try
        {
            await PortalProbe.WaitUntilListeningAsync(target, portals, storageHost, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await target.StopAsync(LabProcess.DefaultGrace).ConfigureAwait(false);
            throw;
        }

        return target;
    }

    /// <summary><c>storlane ARGS</c> behind <paramref name="wrapper"/>; returns as soon as it has started.</summary>
    public Task<LabProcess> StartAsync(IReadOnlyList<string> wrapper, IReadOnlyList<string> storlaneArguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storlaneArguments);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Start(_storlane.CreateStartInfo(wrapper, storlaneArguments)));
    }

    /// <summary>
    /// Refuses new children and stops every one started, together. Only the first close stops
    /// them: after <see cref="CloseWithoutStopping"/> the emergency cleanup already has.
    /// </summary>
    public async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        LabProcess[] processes;
        lock (_gate)
        {
            processes = [.. _processes];
        }

        var stops = new Task[processes.Length];
        for (var i = 0; i < processes.Length; i++)
        {
            stops[i] = processes[i].StopAsync(LabProcess.DefaultGrace);
        }

        await Task.WhenAll(stops).ConfigureAwait(false);
    }

    /// <summary>
    /// Refuses new children without waiting on any: for a signal handler, where
    /// <see cref="LabCleanup"/> has already stopped every live child by PID.
    /// </summary>
    public void CloseWithoutStopping() => Interlocked.Exchange(ref _closed, 1);

    private LabProcess Start(ProcessStartInfo info)
    {
        ObjectDisposedException.ThrowIf(IsClosed, _owner);
        var process = LabProcess.Start(info);
        lock (_gate)
        {
            _processes.Add(process);
        }

        return process;
    }
}
