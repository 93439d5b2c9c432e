using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Storlane.Storage;

/// <summary>
/// Where a sparse file holds data, from Linux lseek(2) SEEK_DATA / SEEK_HOLE (Linux 3.1+, every
/// mainstream file system; file systems without hole tracking report the whole file as data).
/// Elsewhere, or when the call fails, everything is reported mapped: never "deallocated" for blocks
/// that might hold data.
/// </summary>
internal static partial class FileAllocation
{
    private const int SeekData = 3;
    private const int SeekHole = 4;
    private const int NoSuchDeviceOrAddress = 6; // ENXIO: no data at or after the offset

    /// <summary>
    /// The run of blocks starting at <paramref name="lba"/> in one state, at most
    /// <paramref name="maxBlocks"/> long and never past <paramref name="blockCount"/>. A block that is
    /// partly data (the file system block is smaller than a logical block) counts as mapped.
    /// </summary>
    public static AllocationRun Query(SafeFileHandle handle, int blockSize, long blockCount, long lba, long maxBlocks)
    {
        var limit = Math.Min(maxBlocks, blockCount - lba);
        var mappedEverything = new AllocationRun(lba, limit, Mapped: true);
        if (!OperatingSystem.IsLinux())
        {
            return mappedEverything;
        }

        var offset = lba * blockSize;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            var data = Lseek(fd, offset, SeekData);
            if (data < 0)
            {
                // ENXIO: a hole from here to the end of the file. Anything else: unknown, so mapped.
                return Marshal.GetLastPInvokeError() == NoSuchDeviceOrAddress
                    ? new AllocationRun(lba, limit, Mapped: false)
                    : mappedEverything;
            }

            var holeBlocks = (data / blockSize) - lba;
            if (holeBlocks > 0)
            {
                return new AllocationRun(lba, Math.Min(holeBlocks, limit), Mapped: false);
            }

            var hole = Lseek(fd, offset, SeekHole);
            if (hole < 0)
            {
                return mappedEverything;
            }

            var dataBlocks = ((hole + blockSize - 1) / blockSize) - lba;
            return new AllocationRun(lba, Math.Clamp(dataBlocks, 1, limit), Mapped: true);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return mappedEverything;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    // off_t is 64 bits on every 64-bit Linux ABI .NET runs on.
    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Lseek(int fd, long offset, int whence);
}
