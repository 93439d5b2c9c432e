using System.Net;
using System.Net.Sockets;

namespace Storlane.Lab.Topology.InProcess;

/// <summary>
/// The in-process stand-in for one path (server NIC i to storage port j): a listener on its own
/// loopback address whose connections are relayed to the target's portal j, charged to NIC i's
/// and port j's links. While NIC i's cable is pulled the listener is closed, so connecting fails
/// at once (connection refused), as it does from a NIC without link.
/// </summary>
internal sealed class PathRelay : IAsyncDisposable
{
    private readonly IPEndPoint _listenOn;
    private readonly IPEndPoint _portal;
    private readonly IPAddress _nicAddress;
    private readonly NicState _nic;
    private readonly TokenBucket[] _toTarget;
    private readonly TokenBucket[] _toInitiator;
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _running = [];
    private Socket? _listener;
    private bool _disposed;

    public PathRelay(IPEndPoint listenOn, IPEndPoint portal, IPAddress nicAddress, NicState nic, LinkBuckets port)
    {
        _listenOn = listenOn;
        _portal = portal;
        _nicAddress = nicAddress;
        _nic = nic;

        // Toward the target the bytes leave the NIC and enter the port; replies the other way.
        _toTarget = [nic.Link.Outbound, port.Inbound];
        _toInitiator = [port.Outbound, nic.Link.Inbound];
    }

    public IPEndPoint Endpoint => _listenOn;

    /// <summary>Opens the listener (again, after a restored cable) and starts accepting.</summary>
    public void Open()
    {
        lock (_gate)
        {
            if (_disposed || _listener is not null)
            {
                return;
            }

            var listener = new Socket(_listenOn.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                // Reopening after a pulled cable must not wait for TIME_WAIT of the cut connections.
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(_listenOn);
                listener.Listen(64);
            }
            catch
            {
                listener.Dispose();
                throw;
            }

            _listener = listener;
            Track(AcceptLoopAsync(listener));
        }
    }

    /// <summary>Closes the listener; open connections are cut separately through the NIC.</summary>
    public void Close()
    {
        Socket? listener;
        lock (_gate)
        {
            listener = _listener;
            _listener = null;
        }

        listener?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_gate)
        {
            _disposed = true;
        }

        Close();
        lock (_gate)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            Track(RelayAsync(client));
        }
    }

    private async Task RelayAsync(Socket client)
    {
        client.NoDelay = true;
        var server = new Socket(_portal.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connection = new RelayConnection(client, server);
        if (!_nic.TryAdd(connection))
        {
            connection.Abort();
            return;
        }

        try
        {
            // The target sees the NIC's address as the source, as it would on a real network.
            server.Bind(new IPEndPoint(_nicAddress, 0));
            await server.ConnectAsync(_portal).ConfigureAwait(false);
            await connection.RunAsync(_toTarget, _toInitiator).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            connection.Abort();
        }
        finally
        {
            _nic.Remove(connection);
        }
    }

    private void Track(Task task)
    {
        lock (_gate)
        {
            _running.Add(task);
        }

        _ = task.ContinueWith(
            completed =>
            {
                lock (_gate)
                {
                    _running.Remove(completed);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
