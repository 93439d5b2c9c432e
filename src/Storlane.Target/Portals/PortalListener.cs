using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Storlane.Target.Portals;

/// <summary>One listening socket and its accept loop; accepted sockets go to the connection factory.</summary>
internal sealed class PortalListener
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _closing = new();

    private PortalListener(Socket socket, BoundPortal portal, PortalOptions options)
    {
        _socket = socket;
        Portal = portal;
        Options = options;
    }

    public BoundPortal Portal { get; }

    public PortalOptions Options { get; }

    public Task AcceptLoop { get; private set; } = Task.CompletedTask;

    /// <summary>Binds and listens; throws <see cref="SocketException"/> (e.g. AddressNotAvailable when the address is not on this host).</summary>
    public static PortalListener Bind(IPEndPoint endpoint, PortalOptions options, int portalIndex)
    {
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

        var bound = (IPEndPoint)socket.LocalEndPoint!;
        return new PortalListener(socket, new BoundPortal(bound, options.Group, portalIndex), options);
    }

    public void Start(Action<Socket, PortalOptions> accepted, ILogger logger) => AcceptLoop = AcceptLoopAsync(accepted, logger);

    private async Task AcceptLoopAsync(Action<Socket, PortalOptions> accepted, ILogger logger)
    {
        var failures = 0;
        while (!_closing.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _socket.AcceptAsync(_closing.Token).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_closing.IsCancellationRequested)
                {
                    return;
                }

                // A failed accept (the peer reset before we took it, or the process is out of file
                // descriptors) does not close the portal. The pause grows with repeated failures to
                // 1 s, so a persistent error neither spins a core nor floods the log; the waiting
                // connection stays in the backlog until a descriptor is free.
                if (failures++ == 0 && ex is SocketException socketError)
                {
                    TargetLog.AcceptFailed(logger, Portal.Endpoint, socketError.SocketErrorCode);
                }

                await Task.Delay(Math.Min(1000, 10 << Math.Min(failures, 7)), CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            try
            {
                // iSCSI PDUs are small and latency-bound: no Nagle delay.
                socket.NoDelay = true;
                accepted(socket, Options);
            }
            catch (Exception ex)
            {
                // One connection that could not be set up must not stop the portal accepting.
                TargetLog.AcceptedSocketSetupFailed(logger, Portal.Endpoint, ex);
                socket.Dispose();
            }
        }
    }

    /// <summary>Stops accepting. Connections already accepted are not touched.</summary>
    public Task CloseAsync()
    {
        _closing.Cancel();
        _socket.Dispose();
        return AcceptLoop;
    }
}
