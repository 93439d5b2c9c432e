using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Storlane.Storage.Vhdx;

/// <summary>Reserves file extents with Linux fallocate(2) mode 0; elsewhere reports that it cannot.</summary>
internal static partial class FilePreallocation
{
    private const int NoSpaceErrno = 28;

    public static bool TryReserve(SafeFileHandle handle, long offset, long length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Fallocate((int)handle.DangerousGetHandle(), 0, offset, length) == 0)
            {
                return true;
            }

            // Out of space is an answer, not a reason to fall back to a sparse "fixed" disk.
            return Marshal.GetLastPInvokeError() == NoSpaceErrno
                ? throw new IOException($"not enough free space to reserve {length} bytes at offset {offset}")
                : false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
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
