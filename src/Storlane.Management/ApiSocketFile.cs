using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Storlane.Management;

/// <summary>
/// Readies the API's Unix socket path before Kestrel binds it: a folder made owner-only when we
/// create it, a stale socket from a crashed server removed, and a clear refusal when another
/// server answers there or the path is unusable.
/// </summary>
internal static class ApiSocketFile
{
    /// <summary>sun_path is 108 bytes on Linux, the terminating NUL included (unix(7)).</summary>
    private const int MaxPathBytes = 107;

    /// <exception cref="ManagementStartException">The path cannot be used; nothing was changed.</exception>
    public static void Prepare(string path, ILogger logger)
    {
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            throw new ManagementStartException($"the management socket path {path} is longer than the {MaxPathBytes} bytes a Unix socket allows; set management.socket to a shorter one");
        }

        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
        {
            try
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(folder);
                }
                else
                {
                    Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ManagementStartException($"cannot create the folder of the management socket {path}: {e.Message}", e);
            }
        }

        var info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null)
        {
            return;
        }

        if (!IsSocket(path))
        {
            throw new ManagementStartException($"{path} exists and is not a socket; remove it or set management.socket elsewhere");
        }

        if (Answers(path))
        {
            throw new ManagementStartException($"another storlane serve is listening on {path}; stop it, or give this one its own management.socket");
        }

        File.Delete(path);
        ManagementLog.StaleSocketRemoved(logger, path);
    }

    /// <summary>Makes the socket owner-only once bound: only root and the server's user may connect (connect(2) needs write permission).</summary>
    public static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public static bool Answers(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// .NET does not expose the file type, so: a folder or a file with content is never taken for
    /// a socket; an empty file is (removing an empty file at our own socket path loses nothing).
    /// </summary>
    private static bool IsSocket(string path)
    {
        try
        {
            return !Directory.Exists(path) && new FileInfo(path).Length == 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>The management API could not start; the message says why and what to change.</summary>
public sealed class ManagementStartException : Exception
{
    public ManagementStartException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
