using System.Runtime.InteropServices;

namespace Storlane.Ceph.Native;

/// <summary>
/// The librados object calls the shared SCSI state needs (librados.h, Pacific): compare-and-swap
/// writes (a write operation with <c>rados_write_op_assert_version</c>, or exclusive create for the
/// first version), whole-object reads with the object version, watch/notify, and cls_lock leases.
/// Returns are librados's: 0 or a byte count, or a negative errno.
/// </summary>
internal static unsafe partial class RadosObjects
{
    private const string Library = "librados.so.2";

    public const int ENOENT = 2;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ERANGE = 34;
    public const int EOVERFLOW = 75;
    public const int ETIMEDOUT = 110;
    public const int ENOTCONN = 107;

    /// <summary>rados_write_op_create: fail with -EEXIST when the object exists.</summary>
    public const int CreateExclusive = 1;

    /// <summary>cls_lock LOCK_FLAG_MAY_RENEW: take the lock, or renew it when this client holds it.</summary>
    public const byte LockMayRenew = 0x1;

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    [LibraryImport(Library, EntryPoint = "rados_read", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Read(nint ioctx, string oid, byte* buffer, nuint length, ulong offset);

    [LibraryImport(Library, EntryPoint = "rados_get_last_version")]
    public static partial ulong GetLastVersion(nint ioctx);

    [LibraryImport(Library, EntryPoint = "rados_create_write_op")]
    public static partial nint CreateWriteOp();

    [LibraryImport(Library, EntryPoint = "rados_release_write_op")]
    public static partial void ReleaseWriteOp(nint op);

    [LibraryImport(Library, EntryPoint = "rados_write_op_assert_version")]
    public static partial void WriteOpAssertVersion(nint op, ulong version);

    [LibraryImport(Library, EntryPoint = "rados_write_op_create")]
    public static partial void WriteOpCreate(nint op, int exclusive, nint category);

    [LibraryImport(Library, EntryPoint = "rados_write_op_write_full")]
    public static partial void WriteOpWriteFull(nint op, byte* buffer, nuint length);

    [LibraryImport(Library, EntryPoint = "rados_write_op_operate", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int WriteOpOperate(nint op, nint ioctx, string oid, nint mtime, int flags);

    [LibraryImport(Library, EntryPoint = "rados_watch2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Watch2(nint ioctx, string oid, out ulong cookie, delegate* unmanaged<nint, ulong, ulong, ulong, nint, nuint, void> watch, delegate* unmanaged<nint, ulong, int, void> error, nint arg);

    [LibraryImport(Library, EntryPoint = "rados_unwatch2")]
    public static partial int Unwatch2(nint ioctx, ulong cookie);

    [LibraryImport(Library, EntryPoint = "rados_watch_check")]
    public static partial int WatchCheck(nint ioctx, ulong cookie);

    [LibraryImport(Library, EntryPoint = "rados_watch_flush")]
    public static partial int WatchFlush(nint cluster);

    [LibraryImport(Library, EntryPoint = "rados_ioctx_get_cluster")]
    public static partial nint IoContextGetCluster(nint ioctx);

    [LibraryImport(Library, EntryPoint = "rados_notify2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Notify2(nint ioctx, string oid, byte* buffer, int length, ulong timeoutMs, out nint replyBuffer, out nuint replyLength);

    [LibraryImport(Library, EntryPoint = "rados_notify_ack", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int NotifyAck(nint ioctx, string oid, ulong notifyId, ulong cookie, byte* buffer, int length);

    [LibraryImport(Library, EntryPoint = "rados_buffer_free")]
    public static partial void BufferFree(nint buffer);

    [LibraryImport(Library, EntryPoint = "rados_lock_exclusive", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LockExclusive(nint ioctx, string oid, string name, string cookie, string description, TimeVal* duration, byte flags);

    [LibraryImport(Library, EntryPoint = "rados_unlock", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlock(nint ioctx, string oid, string name, string cookie);

    [LibraryImport(Library, EntryPoint = "rados_list_lockers", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ListLockers(nint ioctx, string oid, string name, out int exclusive, byte* tag, ref nuint tagLength, byte* clients, ref nuint clientsLength, byte* cookies, ref nuint cookiesLength, byte* addresses, ref nuint addressesLength);
}
