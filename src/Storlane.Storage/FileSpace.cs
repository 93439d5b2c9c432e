using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Storlane.Storage;

/// <summary>
/// Allocates and deallocates file extents with Linux fallocate(2): hole punching for UNMAP, space
/// reservation for fixed disks. Elsewhere, or on a file system without it, reports that it cannot
/// so the caller falls back (zeros written, a sparse file).
/// </summary>
internal static partial class FileSpace
{
    private const int FallocFlKeepSize = 0x01;
    private const int FallocFlPunchHole = 0x02;
    private const int NoSpaceErrno = 28;

    /// <summary>Deallocates the range; it reads back as zeros and the file keeps its size.</summary>
    public static bool TryPunchHole(SafeFileHandle handle, long offset, long length) =>
        TryFallocate(handle, FallocFlPunchHole | FallocFlKeepSize, offset, length, out _);

    /// <summary>Reserves blocks for the range; throws when the file system is out of space.</summary>
    public static bool TryReserve(SafeFileHandle handle, long offset, long length)
    {
        if (TryFallocate(handle, 0, offset, length, out var errno))
        {
            return true;
        }

        // Out of space is an answer, not a reason to fall back to a sparse "fixed" disk.
        return errno == NoSpaceErrno
            ? throw new IOException($"not enough free space to reserve {length} bytes at offset {offset}")
            : false;
    }

    private static bool TryFallocate(SafeFileHandle handle, int mode, long offset, long length, out int errno)
    {
        errno = 0;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Fallocate((int)handle.DangerousGetHandle(), mode, offset, length) == 0)
            {
                return true;
            }

            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);
}
