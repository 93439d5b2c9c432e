using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Storlane.Management;

/// <summary>
/// The uid of the process at the other end of a Unix socket (Linux SO_PEERCRED, socket(7)): the
/// kernel vouches for it, so root or the server's own user needs no token.
/// </summary>
internal static partial class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The effective uid this process runs as.</summary>
    public static uint OwnUid { get; } = OperatingSystem.IsLinux() ? GetEffectiveUid() : uint.MaxValue;

    /// <summary>The peer's uid, or null when the socket is not a Unix socket or the OS cannot say.</summary>
    public static uint? PeerUid(Socket? socket)
    {
        if (socket is null || !OperatingSystem.IsLinux() || socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            return socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) == ucred.Length
                ? MemoryMarshal.Read<uint>(ucred[4..8])
                : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUid();
}
