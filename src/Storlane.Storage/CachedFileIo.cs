using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Storlane.Storage;

/// <summary>
/// Positional reads and writes that never wait for the disk: Linux preadv2/pwritev2 with RWF_NOWAIT
/// (reads since 4.14, buffered writes where the file system supports them). A read the page cache
/// can serve, or a write it can take, finishes on the calling thread in a few microseconds, with no
/// hop to the thread pool and nothing allocated; what would block comes back undone and the caller
/// does it the slow way. The same try-inline-first rule as io_uring's.
/// </summary>
internal static unsafe partial class CachedFileIo
{
    private const int RwfNowait = 0x8;
    private const int Eintr = 4;
    private const int Einval = 22;
    private const int Enosys = 38;
    private const int Eopnotsupp = 95;

    /// <summary>
    /// Reads what the page cache holds of <paramref name="destination"/> at <paramref name="offset"/>
    /// without blocking. Returns the bytes read (0 when the first page is not cached, or at the end
    /// of the file), or -1 when RWF_NOWAIT cannot be had here at all (never ask again).
    /// </summary>
    public static int TryRead(SafeFileHandle handle, Span<byte> destination, long offset)
    {
        fixed (byte* start = destination)
        {
            return Transfer(handle, start, destination.Length, offset, write: false);
        }
    }

    /// <summary>Writes into the page cache without blocking; as <see cref="TryRead"/> (a short count: do the rest the slow way).</summary>
    public static int TryWrite(SafeFileHandle handle, ReadOnlySpan<byte> source, long offset)
    {
        fixed (byte* start = source)
        {
            return Transfer(handle, start, source.Length, offset, write: true);
        }
    }

    private static int Transfer(SafeFileHandle handle, byte* start, int length, long offset, bool write)
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            var done = 0;
            while (done < length)
            {
                var vector = new IoVector { Base = start + done, Length = (nuint)(length - done) };
                var result = write
                    ? PWriteV2(fd, &vector, 1, offset + done, RwfNowait)
                    : PReadV2(fd, &vector, 1, offset + done, RwfNowait);
                if (result > 0)
                {
                    done += (int)result;
                    continue;
                }

                if (result == 0)
                {
                    return done; // end of file
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr)
                {
                    continue;
                }

                // EOPNOTSUPP / EINVAL / ENOSYS up front: no RWF_NOWAIT for this kernel or file
                // system. Anything else (EAGAIN: the rest would wait for the disk; or a real I/O
                // error) is left to the slow path, which reports real errors as they are.
                return done == 0 && errno is Enosys or Eopnotsupp or Einval ? -1 : done;
            }

            return done;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return -1; // a C library older than preadv2 (glibc 2.26)
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    // ssize_t preadv2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags); likewise pwritev2.
    [LibraryImport("libc", EntryPoint = "preadv2", SetLastError = true)]
    private static partial nint PReadV2(int fd, IoVector* vectors, int count, long offset, int flags);

    [LibraryImport("libc", EntryPoint = "pwritev2", SetLastError = true)]
    private static partial nint PWriteV2(int fd, IoVector* vectors, int count, long offset, int flags);
}
