using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Storlane.Target.Portals;

/// <summary>
/// The listeners the configured portals stand for right now. <see cref="Reconcile()"/> compares the
/// plan (portals x the host's current addresses) with what listens, opens what is missing and
/// closes what no longer belongs, so NIC and address changes, and portal changes pushed by
/// <see cref="Update"/>, take effect live. Connections already accepted are never dropped here: an
/// address that disappears takes its connections down through TCP, and the initiator fails over.
/// </summary>
internal sealed class PortalSet
{
    private readonly ILocalAddressSource _addresses;
    private readonly Action<Socket, PortalOptions> _accepted;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<PlannedEndpoint, PortalListener> _listening = [];
    private readonly HashSet<PlannedEndpoint> _waiting = [];
    private IReadOnlyList<PortalOptions> _portals;
    private BoundPortal[] _snapshot = [];
    private bool _closed;

    public PortalSet(IReadOnlyList<PortalOptions> portals, ILocalAddressSource addresses, Action<Socket, PortalOptions> accepted, ILogger logger)
    {
        _portals = portals;
        _addresses = addresses;
        _accepted = accepted;
        _logger = logger;
    }

    /// <summary>What listens now, in portal order. Read lock-free by SendTargets.</summary>
    public IReadOnlyList<BoundPortal> Current => Volatile.Read(ref _snapshot);

    /// <summary>Explicit endpoints whose address is not on this host (yet).</summary>
    public int WaitingCount
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    public IReadOnlyList<PortalOptions> Portals => Volatile.Read(ref _portals);

    /// <summary>
    /// First bind at start: an address that is not on the host waits for it (a SAN may start before
    /// its network), but any other failure (port in use, no permission) is a configuration error.
    /// </summary>
    public void Open()
    {
        // The start reports its own failure in one line; logging it here as well would say it twice.
        var errors = Reconcile(logFailures: false);
        if (errors.Count > 0)
        {
            var (portal, error) = errors[0];
            throw new TargetStartException($"portal {portal}: cannot listen ({error.SocketErrorCode}: {error.Message})", error);
        }

        _addresses.Changed += OnAddressesChanged;
    }

    /// <summary>Replaces the configured portals (a reloaded config); unchanged endpoints keep listening.</summary>
    public IReadOnlyList<(PortalOptions Portal, SocketException Error)> Update(IReadOnlyList<PortalOptions> portals)
    {
        Volatile.Write(ref _portals, portals);

        // The caller (a config reload) reports the failures it gets back.
        return Reconcile(logFailures: false);
    }

    /// <summary>Brings the listeners in line with the plan; returns the binds that failed for a reason other than a missing address.</summary>
    public IReadOnlyList<(PortalOptions Portal, SocketException Error)> Reconcile() => Reconcile(logFailures: true);

    private List<(PortalOptions Portal, SocketException Error)> Reconcile(bool logFailures)
    {
        var failures = new List<(PortalOptions, SocketException)>();
        lock (_lock)
        {
            if (_closed)
            {
                return failures;
            }

            var portals = _portals;
            var plan = PortalPlan.Compute(portals, _addresses.GetAddresses());
            var wanted = new HashSet<PlannedEndpoint>(plan);
            var stale = new List<PlannedEndpoint>();
            foreach (var (key, listener) in _listening)
            {
                // A listener whose portal changed (group, interface) is replaced, not kept.
                if (!wanted.Contains(key) || !SameSettings(listener.Options, portals[key.PortalIndex]))
                {
                    stale.Add(key);
                }
            }

            foreach (var key in stale)
            {
                // Closed now, before the binds below, so a replacement can take the same endpoint.
                _listening.Remove(key, out var listener);
                _ = listener!.CloseAsync(); // its accept loop ends by itself
                TargetLog.PortalClosed(_logger, listener.Portal.Endpoint, listener.Portal.Group);
            }

            _waiting.IntersectWith(wanted);
            foreach (var planned in plan)
            {
                if (_listening.ContainsKey(planned))
                {
                    continue;
                }

                var portal = portals[planned.PortalIndex];
                try
                {
                    var listener = PortalListener.Bind(planned.Endpoint, portal, planned.PortalIndex);
                    listener.Start(_accepted, _logger);
                    _listening.Add(planned, listener);
                    _waiting.Remove(planned);
                    TargetLog.Listening(_logger, listener.Portal.Endpoint, portal.Group);
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressNotAvailable)
                {
                    if (_waiting.Add(planned))
                    {
                        TargetLog.PortalWaitingForAddress(_logger, planned.Endpoint);
                    }
                }
                catch (SocketException ex)
                {
                    failures.Add((portal, ex));
                    if (logFailures)
                    {
                        TargetLog.PortalBindFailed(_logger, planned.Endpoint, ex.SocketErrorCode, ex.Message);
                    }
                }
            }

            PublishSnapshot();
        }

        return failures;
    }

    private static bool SameSettings(PortalOptions a, PortalOptions b) =>
        ReferenceEquals(a, b) || (a.Address == b.Address && a.Port == b.Port && a.Group == b.Group && a.Interface == b.Interface);

    private void PublishSnapshot()
    {
        var current = new List<BoundPortal>(_listening.Count);
        foreach (var listener in _listening.Values)
        {
            current.Add(listener.Portal);
        }

        current.Sort(static (a, b) => a.PortalIndex != b.PortalIndex
            ? a.PortalIndex.CompareTo(b.PortalIndex)
            : string.CompareOrdinal(a.Endpoint.ToString(), b.Endpoint.ToString()));
        Volatile.Write(ref _snapshot, current.ToArray());
    }

    private void OnAddressesChanged()
    {
        try
        {
            Reconcile();
        }
        catch (Exception ex)
        {
            // Called from the address watcher's timer and the OS's change event: an exception here
            // (say, no file descriptor left to read the routing table) would end the process.
            // Reconcile logs its own bind failures; the next change or poll tries again.
            TargetLog.AddressWatchFailed(_logger, ex);
        }
    }

    /// <summary>Stops every listener; accepted connections are the server's to close.</summary>
    public async Task CloseAsync()
    {
        List<PortalListener> closing;
        lock (_lock)
        {
            _closed = true;
            _addresses.Changed -= OnAddressesChanged;
            closing = [.. _listening.Values];
            _listening.Clear();
            _waiting.Clear();
            Volatile.Write(ref _snapshot, []);
        }

        var loops = new List<Task>(closing.Count);
        foreach (var listener in closing)
        {
            loops.Add(listener.CloseAsync());
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }
}
