using System.Net;
using System.Net.Sockets;

namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// A fact for the built-in config, which listens on 127.0.0.1:3260 and 127.0.0.2:3260: skipped
/// when something else on this machine already holds one of those ports.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DefaultPortsFactAttribute : FactAttribute
{
    public DefaultPortsFactAttribute(params string[] tools)
    {
        Skip = ToolSkip.Reason(tools) ?? BusyPortReason();
    }

    private static string? BusyPortReason()
    {
        foreach (var address in new[] { "127.0.0.1", "127.0.0.2" })
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Parse(address), 3260);
                listener.Start();
                listener.Stop();
            }
            catch (SocketException e)
            {
                return $"skipped: {address}:3260 is already in use on this machine ({e.SocketErrorCode}), so the built-in config cannot start";
            }
        }

        return null;
    }
}
