using System.Runtime.InteropServices;

namespace Storlane.Ceph.Native;

/// <summary>
/// The part of librados's C API (librados.so.2, Debian package librados2) the gateway uses. Every
/// call returns 0 or a negative errno; <see cref="CephException.ThrowIfError"/> turns those into
/// exceptions that name the call.
/// </summary>
internal static partial class LibRados
{
    public const string Library = "librados.so.2";

    [LibraryImport(Library, EntryPoint = "rados_create2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Create2(out RadosClusterHandle cluster, string clusterName, string entityName, ulong flags);

    [LibraryImport(Library, EntryPoint = "rados_conf_read_file", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfReadFile(RadosClusterHandle cluster, string? path);

    [LibraryImport(Library, EntryPoint = "rados_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(RadosClusterHandle cluster, string option, string value);

    [LibraryImport(Library, EntryPoint = "rados_connect")]
    public static partial int Connect(RadosClusterHandle cluster);

    [LibraryImport(Library, EntryPoint = "rados_shutdown")]
    public static partial void Shutdown(nint cluster);

    [LibraryImport(Library, EntryPoint = "rados_cluster_fsid")]
    public static unsafe partial int ClusterFsid(RadosClusterHandle cluster, byte* buffer, nuint length);

    [LibraryImport(Library, EntryPoint = "rados_ioctx_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int IoContextCreate(RadosClusterHandle cluster, string poolName, out RadosIoContextHandle ioContext);

    [LibraryImport(Library, EntryPoint = "rados_ioctx_destroy")]
    public static partial void IoContextDestroy(nint ioContext);

    [LibraryImport(Library, EntryPoint = "rados_ioctx_get_id")]
    public static partial long IoContextGetId(RadosIoContextHandle ioContext);
}
