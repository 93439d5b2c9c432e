using System.Buffers;
using System.Runtime.CompilerServices;
using Storlane.Ceph.Native;
using Storlane.Ceph.Rados;

namespace Storlane.Ceph.Rbd;

/// <summary>
/// An open RBD image (librbd rbd_image_t). I/O is asynchronous through rbd_aio_* completions: no
/// thread waits for the cluster, and the buffers stay pinned only while librbd holds them.
/// Thread-safe: many requests may be in flight at once. Offsets and lengths are in bytes.
/// Dispose closes the image after librbd has finished the requests in flight.
/// </summary>
public sealed class RbdImage : IDisposable
{
    private readonly RbdImageHandle _handle;

    private RbdImage(RbdImageHandle handle, RadosIoContext pool, string name, string id)
    {
        _handle = handle;
        PoolName = pool.PoolName;
        ClusterFsid = pool.ClusterFsid;
        PoolId = pool.PoolId;
        Name = name;
        Id = id;
        Spec = PoolName + "/" + name;
    }

    /// <summary>
    /// The longest compare-and-write librbd performs atomically: its compare-and-write request
    /// refuses a range that leaves one 512-byte sector (EINVAL).
    /// </summary>
    public const int MaxCompareAndWriteBytes = 512;

    public string Name { get; }

    public string PoolName { get; }

    public string ClusterFsid { get; }

    public long PoolId { get; }

    /// <summary>
    /// The image's id (rbd info's "id"): fixed at creation and the same from every client, unlike a
    /// name, which a rename changes. With <see cref="PoolId"/> it identifies the image in the cluster.
    /// </summary>
    public string Id { get; }

    /// <summary>
    /// "ceph:FSID/pool ID/image ID": names this image's data uniquely and the same way from every
    /// client, whatever the image is called or which gateway opened it (the LU identity source).
    /// </summary>
    public string IdentityKey => "ceph:" + ClusterFsid + "/pool " + PoolId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/image " + Id;

    /// <summary>
    /// "pool/image", for messages. Made once: every request passes it along for its error message,
    /// and concatenating it per call was the rbd path's only allocation per I/O.
    /// </summary>
    public string Spec { get; }

    /// <summary>
    /// RBD_FEATURE_LAYERING alone: the features of an image several gateways write at once. Without
    /// exclusive-lock (and object-map and fast-diff, which need it) no gateway holds a lock the
    /// others must take over: a gateway that dies holding librbd's exclusive lock stalls every write
    /// through the others until the OSD drops its watch (osd_client_watch_timeout, 30 s), which
    /// GatewayFailoverTests measured as a 28 s failover.
    /// </summary>
    public const ulong SharedWriterFeatures = 1;

    /// <summary>
    /// Creates an image of <paramref name="sizeInBytes"/> with <paramref name="features"/> (null: the
    /// cluster's default features) and the default object size; EEXIST when it exists.
    /// </summary>
    public static void Create(RadosIoContext pool, string name, long sizeInBytes, ulong? features = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeInBytes);
        var order = 0;
        var result = features is { } chosen
            ? LibRbd.Create2(pool.Handle, name, (ulong)sizeInBytes, chosen, ref order)
            : LibRbd.Create(pool.Handle, name, (ulong)sizeInBytes, ref order);
        CephException.ThrowIfError(result, "rbd_create", pool.PoolName + "/" + name);
    }

    /// <summary>Opens the image read-write; ENOENT when it does not exist.</summary>
    public static RbdImage Open(RadosIoContext pool, string name)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentException.ThrowIfNullOrEmpty(name);
        CephException.ThrowIfError(LibRbd.Open(pool.Handle, name, out var handle, null), "rbd_open", pool.PoolName + "/" + name);
        handle.HoldParent(pool.Handle);
        try
        {
            return new RbdImage(handle, pool, name, ReadId(handle, pool.PoolName + "/" + name));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The image's size now; librbd refreshes it when another client resizes the image.</summary>
    public long GetSize()
    {
        CephException.ThrowIfError(LibRbd.GetSize(_handle, out var size), "rbd_get_size", Spec);
        return (long)size;
    }

    /// <summary>Grows or shrinks the image (shrinking discards the data past the new end).</summary>
    public void Resize(long sizeInBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeInBytes);
        CephException.ThrowIfError(LibRbd.Resize(_handle, (ulong)sizeInBytes), "rbd_resize", Spec);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadAsync(long offset, Memory<byte> destination)
    {
        var result = await RbdSubmit.Read(_handle, offset, destination, Spec).AsValueTask().ConfigureAwait(false);
        CephException.ThrowIfError(result.ReturnValue, "rbd_aio_read", Spec);
    }

    /// <summary>Writes; durable once a later <see cref="FlushAsync"/> completes (librbd may cache).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source)
    {
        var result = await RbdSubmit.Write(_handle, offset, source, Spec).AsValueTask().ConfigureAwait(false);
        CephException.ThrowIfError(result.ReturnValue, "rbd_aio_write", Spec);
    }

    /// <summary>Completes once every write completed before it is durable in the cluster.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync()
    {
        var result = await RbdSubmit.Flush(_handle, Spec).AsValueTask().ConfigureAwait(false);
        CephException.ThrowIfError(result.ReturnValue, "rbd_aio_flush", Spec);
    }

    /// <summary>Deallocates the range; it reads back as zeros.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask DiscardAsync(long offset, long length)
    {
        var result = await RbdSubmit.Discard(_handle, offset, length, Spec).AsValueTask().ConfigureAwait(false);
        CephException.ThrowIfError(result.ReturnValue, "rbd_aio_discard", Spec);
    }

    /// <summary>Makes the range read as zeros without sending zeros over the wire (librbd may deallocate it).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteZeroesAsync(long offset, long length)
    {
        var result = await RbdSubmit.WriteZeroes(_handle, offset, length, Spec).AsValueTask().ConfigureAwait(false);
        CephException.ThrowIfError(result.ReturnValue, "rbd_aio_write_zeroes", Spec);
    }

    /// <summary>
    /// Atomically (in the OSD, so across every client of the image) compares the range with
    /// <paramref name="compare"/> and, only if equal, writes <paramref name="write"/> there.
    /// Returns -1 when it wrote, else the image offset of the first byte that differed. librbd
    /// (16.2) accepts a range only within one 512-byte sector (<see cref="MaxCompareAndWriteBytes"/>);
    /// anything longer or crossing a sector fails with EINVAL and writes nothing.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> CompareAndWriteAsync(long offset, ReadOnlyMemory<byte> compare, ReadOnlyMemory<byte> write)
    {
        if (compare.Length != write.Length)
        {
            throw new ArgumentException($"compare ({compare.Length} bytes) and write ({write.Length} bytes) must be the same length", nameof(write));
        }

        var result = await RbdSubmit.CompareAndWrite(_handle, offset, compare, write, Spec).AsValueTask().ConfigureAwait(false);
        if (result.ReturnValue == -CephException.Miscompare)
        {
            return offset + MismatchIndex(result.MismatchOffset, offset, write.Length);
        }

        CephException.ThrowIfError(result.ReturnValue, "rbd_aio_compare_and_write", Spec);
        return -1;
    }

    /// <summary>
    /// The allocated extents of [<paramref name="offset"/>, +<paramref name="length"/>) in order,
    /// at most <paramref name="maxExtents"/> (rbd_diff_iterate2 against nothing: every extent that
    /// holds data). With <paramref name="wholeObject"/> whole objects are reported from the object
    /// map (fast, coarse); without it, extents within objects (exact, one request per object).
    /// Blocks while librbd walks the image: call from a pool thread (<see cref="ListExtentsAsync"/>).
    /// </summary>
    public IReadOnlyList<RbdExtent> ListExtents(long offset, long length, int maxExtents = int.MaxValue, bool wholeObject = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExtents);
        return RbdExtentCollector.Collect(_handle, offset, length, maxExtents, wholeObject, Spec);
    }

    /// <summary><see cref="ListExtents"/> on the thread pool.</summary>
    public Task<IReadOnlyList<RbdExtent>> ListExtentsAsync(long offset, long length, int maxExtents = int.MaxValue, bool wholeObject = false, CancellationToken cancellationToken = default) =>
        Task.Run(() => ListExtents(offset, length, maxExtents, wholeObject), cancellationToken);

    /// <summary>
    /// Calls <paramref name="onUpdate"/> (on the thread pool) whenever the image's header changes:
    /// a resize, a snapshot, a feature change, by this client or any other. Dispose the result to stop.
    /// </summary>
    public IDisposable WatchUpdates(Action onUpdate) => RbdUpdateWatch.Start(_handle, onUpdate, Spec);

    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Where in the compared range the first mismatch lies. librbd 16.2 reports the object's start
    /// plus the index in the sector instead of the image offset; later releases report the image
    /// offset. Both agree modulo the sector, the only unit librbd compares in.
    /// </summary>
    internal static long MismatchIndex(long reported, long offset, int length)
    {
        var index = reported - offset;
        if (index >= 0 && index < length)
        {
            return index;
        }

        index = (reported % MaxCompareAndWriteBytes) - (offset % MaxCompareAndWriteBytes);
        return index >= 0 && index < length ? index : 0;
    }

    private static unsafe string ReadId(RbdImageHandle handle, string spec)
    {
        var buffer = stackalloc byte[128];
        CephException.ThrowIfError(LibRbd.GetId(handle, buffer, 128), "rbd_get_id", spec);
        return System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)buffer) ?? string.Empty;
    }
}
