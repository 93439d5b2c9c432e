using System.Net;
using System.Net.Sockets;

namespace Storlane.Initiator.Tests.Multipath;

/// <summary>
/// A TCP relay in front of one target portal, so a test can cut one path the way a pulled cable or a
/// dead switch port would: <see cref="Cut"/> resets every relayed connection and refuses new ones;
/// <see cref="Restore"/> accepts again on the same port. <see cref="PullCable"/> is the silent kind:
/// nothing is reset, every byte either way is dropped from then on, as on a link whose packets are
/// lost, so only the initiator's own timers can notice. The in-process target itself is untouched.
/// </summary>
internal sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly List<Socket> _sockets = [];
    private readonly List<IPEndPoint> _clients = [];
    private readonly List<bool> _clientResets = [];
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener _listener;
    private Task _acceptLoop;
    private volatile bool _cablePulled;

    public LoopbackProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync(_listener);
    }

    public int Port { get; }

    public bool IsCut { get; private set; }

    /// <summary>The source endpoint of every connection accepted so far, oldest first.</summary>
    public IReadOnlyList<IPEndPoint> Clients
    {
        get
        {
            lock (_sockets)
            {
                return [.. _clients];
            }
        }
    }

    /// <summary>How each client connection that has ended did so, in order: true for a reset (RST), false for an orderly close (FIN).</summary>
    public IReadOnlyList<bool> ClientResets
    {
        get
        {
            lock (_sockets)
            {
                return [.. _clientResets];
            }
        }
    }

    /// <summary>
    /// Drops every byte either way from now on, on the connections relayed so far and on new ones
    /// (which are accepted and then hear nothing), without resetting or closing anything: a pulled
    /// cable or a dead switch port, which the initiator learns of only from its own timeouts.
    /// </summary>
    public void PullCable() => _cablePulled = true;

    /// <summary>Resets every relayed connection and stops accepting.</summary>
    public void Cut()
    {
        IsCut = true;
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            _sockets.Clear();
        }
    }

    /// <summary>Resets every relayed connection but keeps accepting (a link that drops and comes back).</summary>
    public void ResetConnections()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            _sockets.Clear();
        }
    }

    public void Restore()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        IsCut = false;
        _acceptLoop = AcceptLoopAsync(_listener);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Cut();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort);
            }
            catch (SocketException)
            {
                client.Close();
                upstream.Close();
                continue;
            }

            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(upstream);
                _clients.Add((IPEndPoint)client.RemoteEndPoint!);
            }

            _ = PumpAsync(client, upstream, fromClient: true);
            _ = PumpAsync(upstream, client, fromClient: false);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool fromClient)
    {
        var buffer = new byte[65536];
        bool? reset = null;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    reset = false;
                    break;
                }

                if (!_cablePulled)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                }
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            reset = true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Closed here (Cut, ResetConnections, dispose).
        }

        if (fromClient && reset is { } wasReset)
        {
            lock (_sockets)
            {
                _clientResets.Add(wasReset);
            }
        }

        try
        {
            to.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
