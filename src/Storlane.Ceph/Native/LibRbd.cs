using System.Runtime.InteropServices;

namespace Storlane.Ceph.Native;

/// <summary>
/// The part of librbd's C API (librbd.so.1, Debian package librbd1) the gateway uses. I/O goes
/// through rbd_aio_* with a completion whose callback librbd runs on its own finisher thread; no
/// caller thread waits. Return values are 0 (or a byte count) or a negative errno.
/// </summary>
internal static unsafe partial class LibRbd
{
    public const string Library = "librbd.so.1";

    [LibraryImport(Library, EntryPoint = "rbd_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Create(RadosIoContextHandle ioContext, string name, ulong size, ref int order);

    [LibraryImport(Library, EntryPoint = "rbd_create2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Create2(RadosIoContextHandle ioContext, string name, ulong size, ulong features, ref int order);

    [LibraryImport(Library, EntryPoint = "rbd_open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(RadosIoContextHandle ioContext, string name, out RbdImageHandle image, string? snapshotName);

    [LibraryImport(Library, EntryPoint = "rbd_close")]
    public static partial int Close(nint image);

    [LibraryImport(Library, EntryPoint = "rbd_get_size")]
    public static partial int GetSize(RbdImageHandle image, out ulong size);

    [LibraryImport(Library, EntryPoint = "rbd_resize")]
    public static partial int Resize(RbdImageHandle image, ulong size);

    [LibraryImport(Library, EntryPoint = "rbd_get_id")]
    public static partial int GetId(RbdImageHandle image, byte* id, nuint length);

    [LibraryImport(Library, EntryPoint = "rbd_aio_create_completion")]
    public static partial int AioCreateCompletion(nint callbackArgument, delegate* unmanaged<nint, nint, void> callback, out nint completion);

    [LibraryImport(Library, EntryPoint = "rbd_aio_get_return_value")]
    public static partial nint AioGetReturnValue(nint completion);

    [LibraryImport(Library, EntryPoint = "rbd_aio_release")]
    public static partial void AioRelease(nint completion);

    [LibraryImport(Library, EntryPoint = "rbd_aio_read")]
    public static partial int AioRead(RbdImageHandle image, ulong offset, nuint length, byte* buffer, nint completion);

    [LibraryImport(Library, EntryPoint = "rbd_aio_write")]
    public static partial int AioWrite(RbdImageHandle image, ulong offset, nuint length, byte* buffer, nint completion);

    [LibraryImport(Library, EntryPoint = "rbd_aio_flush")]
    public static partial int AioFlush(RbdImageHandle image, nint completion);

    [LibraryImport(Library, EntryPoint = "rbd_aio_discard")]
    public static partial int AioDiscard(RbdImageHandle image, ulong offset, ulong length, nint completion);

    [LibraryImport(Library, EntryPoint = "rbd_aio_write_zeroes")]
    public static partial int AioWriteZeroes(RbdImageHandle image, ulong offset, nuint length, nint completion, int zeroFlags, int operationFlags);

    [LibraryImport(Library, EntryPoint = "rbd_aio_compare_and_write")]
    public static partial nint AioCompareAndWrite(RbdImageHandle image, ulong offset, nuint length, byte* compare, byte* write, nint completion, ulong* mismatchOffset, int operationFlags);

    [LibraryImport(Library, EntryPoint = "rbd_diff_iterate2")]
    public static partial int DiffIterate2(
        RbdImageHandle image,
        byte* fromSnapshot,
        ulong offset,
        ulong length,
        byte includeParent,
        byte wholeObject,
        delegate* unmanaged<ulong, nuint, int, nint, int> callback,
        nint argument);

    [LibraryImport(Library, EntryPoint = "rbd_update_watch")]
    public static partial int UpdateWatch(RbdImageHandle image, out ulong handle, delegate* unmanaged<nint, void> callback, nint argument);

    [LibraryImport(Library, EntryPoint = "rbd_update_unwatch")]
    public static partial int UpdateUnwatch(RbdImageHandle image, ulong handle);
}
