using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Storlane.Storage;

/// <summary>
/// A positional write that is durable when it returns: Linux pwritev2(2) with RWF_DSYNC (kernel
/// 4.7+), the per-write form of O_DSYNC. The kernel writes back this range, the metadata needed to
/// read it and the disk's cache, not every dirty page of the file as fsync would.
/// </summary>
internal static unsafe partial class DsyncWrite
{
    private const int RwfDsync = 0x2;
    private const int Eintr = 4;
    private const int Einval = 22;
    private const int Enosys = 38;
    private const int Eopnotsupp = 95;

    /// <summary>
    /// Writes all of <paramref name="source"/> at <paramref name="offset"/> with RWF_DSYNC. Returns
    /// false, having written nothing, where the kernel, C library or file system lacks it (ENOSYS,
    /// EOPNOTSUPP, EINVAL, no such entry point); throws <see cref="IOException"/> when the write fails.
    /// </summary>
    public static bool TryWrite(SafeFileHandle handle, ReadOnlySpan<byte> source, long offset)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            fixed (byte* start = source)
            {
                var written = 0;
                while (written < source.Length)
                {
                    var vector = new IoVector { Base = start + written, Length = (nuint)(source.Length - written) };
                    var result = PWriteV2(fd, &vector, 1, offset + written, RwfDsync);
                    if (result > 0)
                    {
                        // A short write: each piece is durable on return, so carry on with the rest.
                        written += (int)result;
                        continue;
                    }

                    var errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
                    if (errno == Eintr)
                    {
                        continue;
                    }

                    if (written == 0 && errno is Enosys or Eopnotsupp or Einval)
                    {
                        return false;
                    }

                    throw new IOException($"pwritev2(RWF_DSYNC) of {source.Length} bytes at offset {offset} failed after {written} bytes: {(errno == 0 ? "no progress" : Marshal.GetPInvokeErrorMessage(errno))}");
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // a C library older than pwritev2 (glibc 2.26)
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

    // ssize_t pwritev2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags);
    // off_t is 64 bits on every 64-bit Linux ABI .NET runs on.
    [LibraryImport("libc", EntryPoint = "pwritev2", SetLastError = true)]
    private static partial nint PWriteV2(int fd, IoVector* vectors, int count, long offset, int flags);
}
