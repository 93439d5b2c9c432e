using System.Net.Sockets;
using System.Text;

namespace Storlane.Cli.Serving;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram of "KEY=value" lines to the unix socket systemd
/// names in $NOTIFY_SOCKET (a Type=notify unit waits for READY=1). A name starting with '@' is in
/// Linux's abstract namespace, where the address starts with a NUL byte instead.
/// </summary>
internal static class SystemdNotify
{
    public const string Variable = "NOTIFY_SOCKET";

    /// <summary>Sends <paramref name="state"/>; false with a reason when the socket cannot take it. No socket named: nothing to do, true.</summary>
    public static bool TrySend(string? socketName, string state, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(socketName))
        {
            return true;
        }

        var address = socketName[0] == '@' ? "\0" + socketName[1..] : socketName;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(address));
            return true;
        }
        catch (Exception e) when (e is SocketException or ArgumentException or PlatformNotSupportedException)
        {
            error = e.Message;
            return false;
        }
    }
}
