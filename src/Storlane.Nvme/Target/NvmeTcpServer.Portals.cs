using System.Net;
using System.Net.Sockets;

namespace Storlane.Nvme.Target;

/// <summary>
/// The listeners, at start and live: portals added to the running config get their I/O and discovery
/// ports, portals removed lose them (connections already accepted through one stay, as iSCSI sessions
/// through a removed portal do). Each change is a new Discovery Log Page (GENCTR moves on) and a
/// Discovery Log Page Change notice to the connected discovery controllers that enabled it
/// (NVMe over Fabrics 1.1, 5.4.4).
/// </summary>
public sealed partial class NvmeTcpServer
{
    private readonly Lock _portalsLock = new();
    private readonly List<Listener> _listeners = [];
    private long _discoveryGeneration = 1;

    /// <summary>The endpoints listening now, in portal order.</summary>
    public IReadOnlyList<BoundNvmePortal> ListeningPortals { get; private set; } = [];

    /// <summary>GENCTR of the Discovery Log Page: moves on with each change of what listens.</summary>
    internal ulong DiscoveryGeneration => (ulong)Interlocked.Read(ref _discoveryGeneration);

    /// <summary>
    /// Listens on exactly <paramref name="portals"/>: stops the listeners no longer wanted, binds the new
    /// ones. Returns each portal that could not be bound with why (the others apply); the caller puts the
    /// previous list back if it wants all or nothing.
    /// </summary>
    public IReadOnlyList<(NvmePortal Portal, SocketException Error)> UpdatePortals(IReadOnlyList<NvmePortal> portals)
    {
        ArgumentNullException.ThrowIfNull(portals);
        var failures = new List<(NvmePortal, SocketException)>();
        var closed = new List<Listener>();
        lock (_portalsLock)
        {
            if (_stopping.IsCancellationRequested)
            {
                return failures;
            }

            // Match wanted portals to listeners one to one: two equal portals (ephemeral ports) are two listeners.
            var unmatched = new List<Listener>(_listeners);
            var next = new List<Listener?>(portals.Count);
            foreach (var portal in portals)
            {
                var index = unmatched.FindIndex(l => l.Config == portal);
                if (index >= 0)
                {
                    next.Add(unmatched[index]);
                    unmatched.RemoveAt(index);
                    continue;
                }

                next.Add(null);
            }

            foreach (var listener in unmatched)
            {
                listener.Close();
                closed.Add(listener);
                NvmeLog.StoppedListening(Logger, listener.Portal.Endpoint, listener.Portal.IsDiscovery ? "discovery" : "I/O");
            }

            for (var i = 0; i < portals.Count; i++)
            {
                if (next[i] is not null)
                {
                    continue;
                }

                try
                {
                    var listener = Bind(portals[i]);
                    next[i] = listener;
                    Start(listener);
                }
                catch (SocketException e)
                {
                    failures.Add((portals[i], e));
                }
            }

            var listening = next.OfType<Listener>().ToList();
            var changed = closed.Count > 0 || !listening.SequenceEqual(_listeners);
            _listeners.Clear();
            _listeners.AddRange(listening);
            ListeningPortals = [.. listening.Select(l => l.Portal)];
            if (!changed)
            {
                return failures;
            }

            Interlocked.Increment(ref _discoveryGeneration);
        }

        foreach (var controller in _discovery.Controllers())
        {
            controller.DiscoveryLogChanged();
        }

        return failures;
    }

    /// <summary>Binds every portal of the start, all or nothing.</summary>
    private void BindAll(IReadOnlyList<NvmePortal> portals)
    {
        lock (_portalsLock)
        {
            try
            {
                foreach (var portal in portals)
                {
                    _listeners.Add(Bind(portal));
                }
            }
            catch
            {
                foreach (var listener in _listeners)
                {
                    listener.Close();
                }

                _listeners.Clear();
                throw;
            }

            ListeningPortals = [.. _listeners.Select(l => l.Portal)];
        }
    }

    private void StartAcceptLoops()
    {
        lock (_portalsLock)
        {
            foreach (var listener in _listeners)
            {
                Start(listener);
            }
        }
    }

    private void Start(Listener listener)
    {
        NvmeLog.Listening(Logger, listener.Portal.Endpoint, listener.Portal.IsDiscovery ? "discovery" : "I/O", listener.Portal.Group);
        listener.Loop = AcceptLoopAsync(listener.Socket, listener.Portal, listener.Stop.Token);
    }

    /// <summary>Closes every listener (the server stops); returns their accept loops to wait for.</summary>
    private Task[] CloseAllListeners()
    {
        lock (_portalsLock)
        {
            var loops = new Task[_listeners.Count];
            for (var i = 0; i < loops.Length; i++)
            {
                _listeners[i].Close();
                loops[i] = _listeners[i].Loop;
            }

            return loops;
        }
    }

    private Listener Bind(NvmePortal portal)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(portal.Address), portal.Port);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var bound = new BoundNvmePortal((IPEndPoint)socket.LocalEndPoint!, portal.Group, portal.IsDiscovery);
        return new Listener(portal, socket, bound, CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
    }

    /// <summary>One listening socket, the portal it was configured as, and what stops its accept loop.</summary>
    private sealed class Listener(NvmePortal config, Socket socket, BoundNvmePortal portal, CancellationTokenSource stop)
    {
        public NvmePortal Config { get; } = config;

        public Socket Socket { get; } = socket;

        public BoundNvmePortal Portal { get; } = portal;

        public CancellationTokenSource Stop { get; } = stop;

        public Task Loop { get; set; } = Task.CompletedTask;

        public void Close()
        {
            try
            {
                Stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Closed before.
            }

            Socket.Dispose();
        }
    }
}
