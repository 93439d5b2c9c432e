using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Storlane.Nvme.Target;

/// <summary>A listening NVMe/TCP endpoint (ephemeral port resolved).</summary>
public sealed record BoundNvmePortal(IPEndPoint Endpoint, ushort Group, bool IsDiscovery);

/// <summary>
/// The NVMe/TCP target: listens on its portals, serves the discovery subsystem and one NVM subsystem
/// per configured target over the same logical units as iSCSI, until stopped.
/// </summary>
public sealed partial class NvmeTcpServer : IAsyncDisposable
{
    private readonly Dictionary<string, NvmeSubsystem> _subsystems = new(StringComparer.Ordinal);
    private readonly NvmeSubsystem _discovery;
    private readonly ConcurrentDictionary<NvmeTcpQueue, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _anaChangeCount = 1;

    public NvmeTcpServer(NvmeTargetOptions options, ILoggerFactory loggerFactory)
    {
        Options = options;
        Logger = loggerFactory.CreateLogger("Storlane.Nvme");
        _discovery = new NvmeSubsystem(NvmeTargetOptions.DiscoveryNqn, null, [], options.Limits.MaxControllersPerSubsystem);
        foreach (var subsystem in options.Subsystems)
        {
            if (subsystem.Nqn == NvmeTargetOptions.DiscoveryNqn || !_subsystems.TryAdd(subsystem.Nqn, new NvmeSubsystem(subsystem.Nqn, subsystem.Device, subsystem.AllowedHosts, options.Limits.MaxControllersPerSubsystem)))
            {
                throw new ArgumentException($"NVMe subsystem NQN {subsystem.Nqn} is used twice", nameof(options));
            }
        }
    }

    public NvmeTargetOptions Options { get; }

    internal ILogger Logger { get; }

    private long _connectionsAccepted;

    /// <summary>A number for the next connection, unique for the life of the process: what its log lines carry.</summary>
    internal long NextConnectionNumber() => Interlocked.Increment(ref _connectionsAccepted);

    /// <summary>NVMe/TCP connections open now (one per queue).</summary>
    public int OpenConnections => _connections.Count;

    internal ulong AnaChangeCount => (ulong)Interlocked.Read(ref _anaChangeCount);

    /// <summary>Binds every portal; throws <see cref="SocketException"/> when one cannot be bound (nothing stays bound then).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BindAll(Options.Portals);
        foreach (var subsystem in _subsystems.Values)
        {
            var namespaces = subsystem.Namespaces().Count;
            NvmeLog.ServingSubsystem(Logger, subsystem.Nqn, namespaces, subsystem.Device!.TargetName);
            subsystem.FollowDevice();
        }

        StartAcceptLoops();
        return Task.CompletedTask;
    }

    /// <param name="stop">Cancelled when the server stops or this portal is removed live.</param>
    private async Task AcceptLoopAsync(Socket listener, BoundNvmePortal portal, CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stop).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                if (failures++ == 0)
                {
                    NvmeLog.AcceptFailed(Logger, portal.Endpoint, e.Message);
                }

                await Task.Delay(Math.Min(1000, 10 << Math.Min(failures, 7)), CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (_connections.Count >= Options.Limits.MaxConnections)
            {
                NvmeLog.ConnectionRefusedAtLimit(Logger, socket.RemoteEndPoint, _connections.Count);
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var queue = new NvmeTcpQueue(this, socket, portal);
            _connections[queue] = Task.CompletedTask;
            _connections[queue] = Task.Run(queue.RunAsync, CancellationToken.None);
        }
    }

    internal void Closed(NvmeTcpQueue queue) => _connections.TryRemove(queue, out _);

    /// <summary>The subsystem a Connect names, if this port serves it: discovery everywhere, NVM subsystems on I/O ports.</summary>
    internal NvmeSubsystem? FindSubsystem(string nqn, BoundNvmePortal portal)
    {
        if (nqn == NvmeTargetOptions.DiscoveryNqn)
        {
            return _discovery;
        }

        return portal.IsDiscovery ? null : _subsystems.GetValueOrDefault(nqn);
    }

    /// <summary>
    /// The Discovery Log entries: every NVM subsystem on every I/O portal. A wildcard portal is
    /// reported at the address the asking host reached us on.
    /// </summary>
    internal DiscoveryEntry[] DiscoveryEntries(NvmeTcpQueue asking)
    {
        var entries = new List<DiscoveryEntry>();
        foreach (var portal in ListeningPortals)
        {
            if (portal.IsDiscovery)
            {
                continue;
            }

            var address = portal.Endpoint.Address;
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                address = (asking.LocalEndPoint as IPEndPoint)?.Address ?? address;
            }

            foreach (var subsystem in _subsystems.Values)
            {
                entries.Add(new DiscoveryEntry(subsystem.Nqn, address.ToString(), portal.Endpoint.Port.ToString(CultureInfo.InvariantCulture), address.AddressFamily == AddressFamily.InterNetworkV6, portal.Group, false));
            }
        }

        return [.. entries];
    }

    /// <summary>
    /// A portal group's ALUA state changed on the SCSI side: every controller on that group reports
    /// an ANA change through a held AER, so hosts re-read the ANA log (base 2.0, 8.1.3.5).
    /// </summary>
    public void NotifyAnaChange()
    {
        Interlocked.Increment(ref _anaChangeCount);
        foreach (var subsystem in _subsystems.Values)
        {
            foreach (var controller in subsystem.Controllers())
            {
                controller.NotifyAnaChange();
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        var acceptLoops = CloseAllListeners();
        foreach (var subsystem in _subsystems.Values)
        {
            subsystem.StopFollowing();
        }

        foreach (var queue in _connections.Keys)
        {
            queue.Close("target stopping");
        }

        try
        {
            await Task.WhenAll(_connections.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(acceptLoops).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of grace: the sockets are closed; what remains ends on its own.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        foreach (var subsystem in _subsystems.Values)
        {
            subsystem.Dispose();
        }

        _stopping.Dispose();
    }
}
