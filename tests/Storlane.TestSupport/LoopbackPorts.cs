using System.Net;
using System.Net.Sockets;

namespace Storlane.TestSupport;

/// <summary>Loopback TCP ports for peers that must be told a port before they listen.</summary>
public static class LoopbackPorts
{
    /// <summary>A port on 127.0.0.1 nobody listens on right now (the OS picks it; another process may still take it before the peer binds).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
