using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Storlane.Bench.Targets;

/// <summary>
/// Turns on O_DIRECT for an open file on Linux so the page cache does not serve (and flatter) reads.
/// .NET has no O_DIRECT option: <c>File.OpenHandle(..., (FileOptions)0x4000)</c> is accepted but
/// the bit never reaches open(2) (checked in /proc/self/fdinfo on .NET 10), so the flag is set
/// afterwards with fcntl(F_SETFL), which Linux allows for O_DIRECT.
/// </summary>
internal static partial class DirectIo
{
    private const int GetStatusFlags = 3;
    private const int SetStatusFlags = 4;
    private const int SeekEnd = 2;

    /// <summary>O_DIRECT differs by architecture: 040000 on x86/x86-64, 0200000 on arm/arm64.</summary>
    private static int DirectFlag => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x10000 : 0x4000;

    /// <summary>Sets O_DIRECT; false where the OS or file system refuses it (the caller falls back to buffered I/O).</summary>
    public static bool TryEnable(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var fd = (int)handle.DangerousGetHandle();
        var flags = Fcntl(fd, GetStatusFlags, 0);
        if (flags < 0 || Fcntl(fd, SetStatusFlags, flags | DirectFlag) < 0)
        {
            return false;
        }

        return (Fcntl(fd, GetStatusFlags, 0) & DirectFlag) != 0;
    }

    /// <summary>Size of a file or block device: fstat reports 0 for block devices, lseek(SEEK_END) does not.</summary>
    public static long GetLength(SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        if (length > 0 || !OperatingSystem.IsLinux())
        {
            return length;
        }

        var end = Lseek((int)handle.DangerousGetHandle(), 0, SeekEnd);
        return end > 0 ? end : 0;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Lseek(int fd, long offset, int whence);
}
