using System.Net;
using System.Net.Sockets;
using Storlane.Lab.Processes;

namespace Storlane.Lab.Topology.InProcess;

/// <summary>
/// The lab without root: the target listens on loopback portals, and the lab process relays each
/// path through its own listener with token buckets per server NIC and per storage port (a flow
/// through NIC i and port j is limited by both, so a mesh shares bandwidth as a real one does).
/// Pulling a cable resets that NIC's relayed connections and refuses new ones until it is restored.
/// </summary>
internal sealed class InProcessTopology : ILabTopology, ILabHostAccess, IEmergencyCleanup
{
    private const int MaxAddressAttempts = 8;
    private static int _sequence;

    private readonly LoopbackPlan _plan;
    private readonly LabProcessSet _children;
    private readonly NicState[] _nics;
    private readonly PathRelay[] _relays;

    private InProcessTopology(LoopbackPlan plan, StorlaneExecutable storlane, string reason)
    {
        _plan = plan;
        _children = new LabProcessSet(storlane, this);
        var spec = plan.Spec;
        _nics = new NicState[spec.ServerNics];
        for (var i = 0; i < _nics.Length; i++)
        {
            _nics[i] = new NicState(new LinkBuckets(spec.LinkBitsPerSecond));
        }

        var ports = new LinkBuckets[spec.StoragePorts];
        for (var j = 0; j < ports.Length; j++)
        {
            ports[j] = new LinkBuckets(spec.LinkBitsPerSecond);
        }

        _relays = new PathRelay[plan.Paths.Count];
        for (var k = 0; k < _relays.Length; k++)
        {
            var path = plan.Paths[k];
            _relays[k] = new PathRelay(plan.RelayEndpoints[k], plan.Portals[path.StoragePort], plan.NicAddresses[path.ServerNic], _nics[path.ServerNic], ports[path.StoragePort]);
        }

        var wiring = spec.Meshed
            ? $"meshing {spec.ServerNics} NICs x {spec.StoragePorts} ports"
            : $"pathing {spec.ServerNics} 1:1 paths";
        Description = $"in-process links on {plan.Network}.0/24, {wiring}, token-bucket relays {spec.RateText} per NIC and port ({reason})";
    }

    public LabLinkMode Mode => LabLinkMode.InProcess;

    public string Description { get; }

    public IReadOnlyList<string> PortalAddresses => _plan.PortalAddresses;

    public IReadOnlyList<LabPath> Paths => _plan.Paths;

    /// <summary>Opens every relay; <paramref name="reason"/> says why the lab runs in-process (for the description).</summary>
    public static async Task<InProcessTopology> CreateAsync(LabTopologySpec spec, StorlaneExecutable storlane, string reason, CancellationToken cancellationToken)
    {
        LabTopologyException? last = null;
        for (var attempt = 0; attempt < MaxAddressAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var plan = new LoopbackPlan(spec, Environment.ProcessId, Interlocked.Increment(ref _sequence) - 1);
            var topology = new InProcessTopology(plan, storlane, reason);
            LabCleanup.Track(topology);
            try
            {
                topology.Open();
                return topology;
            }
            catch (SocketException e)
            {
                // Another run holds this /24: undo and try the next one.
                last = new LabTopologyException($"cannot listen on {plan.Network}.0/24: {e.SocketErrorCode}", e);
                await topology.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await topology.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        throw last!;
    }

    public Task SetServerNicAsync(int nic, bool up, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_children.IsClosed, this);
        if (nic < 0 || nic >= _nics.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(nic), nic, $"the topology has server NICs 0 to {_nics.Length - 1}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        foreach (var connection in _nics[nic].SetUp(up))
        {
            connection.Abort();
        }

        for (var k = 0; k < _relays.Length; k++)
        {
            if (_plan.Paths[k].ServerNic != nic)
            {
                continue;
            }

            if (up)
            {
                _relays[k].Open();
            }
            else
            {
                _relays[k].Close();
            }
        }

        return Task.CompletedTask;
    }

    // Both hosts share the lab process's network, so children start without a wrapper.
    public Task<LabProcess> StartTargetAsync(string configPath, CancellationToken cancellationToken) =>
        _children.StartTargetAsync([], configPath, _plan.Portals, this, cancellationToken);

    public Task<LabProcess> StartOnServerAsync(IReadOnlyList<string> storlaneArguments, CancellationToken cancellationToken) =>
        _children.StartAsync([], storlaneArguments, cancellationToken);

    /// <summary>Both hosts are the lab process itself.</summary>
    public T RunOnServerHost<T>(Func<T> start) => start();

    public T RunOnStorageHost<T>(Func<T> start) => start();

    public async ValueTask DisposeAsync()
    {
        await _children.CloseAsync().ConfigureAwait(false);

        // Also after an emergency cleanup, which only cut: wait for every relay task to end.
        CutEverything();
        foreach (var relay in _relays)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }

        LabCleanup.Untrack(this);
    }

    void IEmergencyCleanup.CleanupNow()
    {
        _children.CloseWithoutStopping();
        CutEverything();
    }

    private void Open()
    {
        foreach (var relay in _relays)
        {
            relay.Open();
        }

        // The target binds the portals later; a portal someone else holds would only fail then.
        foreach (var portal in _plan.Portals)
        {
            using var probe = new Socket(portal.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(portal);
        }
    }

    private void CutEverything()
    {
        foreach (var relay in _relays)
        {
            relay.Close();
        }

        foreach (var nic in _nics)
        {
            foreach (var connection in nic.SetUp(false))
            {
                connection.Abort();
            }
        }
    }
}
