using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Storlane.Ceph.Native;
using Storlane.Ceph.Rados;
using Storlane.Scsi;

namespace Storlane.Ceph;

/// <summary>
/// A logical unit's reservation state in one RADOS object beside its image (<see cref="ObjectName"/>),
/// shared by every gateway that serves the image. Versions are the object's own version (librados
/// bumps it on every write): a write asserts the version it was computed from
/// (<c>rados_write_op_assert_version</c>; exclusive create for the first), so two gateways never both
/// win. After a write the gateway notifies (<c>rados_notify2</c>) with the new state as payload and
/// waits for every watcher's acknowledgement; each gateway installs the state in its watch callback
/// before it acknowledges, so by the time the writer's command completes every reachable gateway
/// answers from the new state. A gateway whose watch has not been confirmed for
/// <see cref="StaleAfter"/> (the cluster is unreachable) reports itself unavailable and serves the unit
/// NOT READY until its watch is back and it has reloaded. Everything is kept: APTPL is implied.
/// </summary>
public sealed unsafe class RadosLuSharedState : ILuSharedState, IDisposable
{
    /// <summary>How long a writer waits for the other gateways' acknowledgements.</summary>
    public static readonly TimeSpan NotifyTimeout = TimeSpan.FromSeconds(15);

    /// <summary>A watch unconfirmed this long means this gateway may be missing changes (below <see cref="NotifyTimeout"/>).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    private const int MaxObjectBytes = 1 << 20;

    private readonly RadosIoContextHandle _pool;
    private readonly nint _ioctx;
    private readonly string _oid;
    private readonly Lock _ioLock = new();
    private readonly Timer _monitor;
    private GCHandle _self;
    private ISharedStateListener? _listener;
    private ulong _cookie;
    private bool _watching;
    private volatile bool _available = true;
    private ulong _ownVersion;
    private bool _disposed;

    /// <param name="pool">An I/O context on the image's pool; kept open (by reference) until this is disposed.</param>
    /// <param name="image">The RBD image the logical unit serves.</param>
    public RadosLuSharedState(RadosIoContext pool, string image)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentException.ThrowIfNullOrEmpty(image);
        var added = false;
        pool.Handle.DangerousAddRef(ref added);
        _pool = pool.Handle;
        _ioctx = _pool.DangerousGetHandle();
        _oid = ObjectName(image);
        _self = GCHandle.Alloc(this);
        _monitor = new Timer(_ => CheckWatch(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The object that holds an image's SCSI state, in the image's pool and namespace.</summary>
    public static string ObjectName(string image) => "storlane.scsi." + image;

    public SharedStatePersistence Persistence => SharedStatePersistence.Always;

    public bool IsShared => true;

    public ValueTask<SharedStateImage> LoadAsync(CancellationToken cancellationToken) =>
        new(Task.Run(Load, cancellationToken));

    public ValueTask<ulong?> TryReplaceAsync(ulong expectedVersion, ReadOnlyMemory<byte> content, bool durable, CancellationToken cancellationToken) =>
        new(Task.Run(() => Replace(expectedVersion, content), cancellationToken));

    /// <summary>Starts watching the object; changes by other gateways reach <paramref name="listener"/> from librados's callback thread.</summary>
    public void Subscribe(ISharedStateListener listener)
    {
        _listener = listener;
        if (!TryWatch())
        {
            Unavailable();
        }

        _monitor.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Dispose()
    {
        lock (_ioLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _monitor.Dispose();
            if (_watching)
            {
                _ = RadosObjects.Unwatch2(_ioctx, _cookie);
                _watching = false;
            }
        }

        // rados_unwatch2 stops new callbacks; rados_watch_flush waits for any still queued or running,
        // after which neither the handle nor the I/O context is touched again.
        _ = RadosObjects.WatchFlush(RadosObjects.IoContextGetCluster(_ioctx));
        _self.Free();
        _pool.DangerousRelease();
    }

    private SharedStateImage Load()
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int read;
            ulong version;
            lock (_ioLock)
            {
                fixed (byte* p = buffer)
                {
                    read = RadosObjects.Read(_ioctx, _oid, p, (nuint)buffer.Length, 0);
                }

                // rados_get_last_version is per I/O context: read it under the same lock as the read.
                version = RadosObjects.GetLastVersion(_ioctx);
            }

            if (read == -RadosObjects.ENOENT)
            {
                return default;
            }

            if (read < 0)
            {
                throw Unreachable("read", read);
            }

            if (read < buffer.Length)
            {
                return new SharedStateImage(version, buffer.AsMemory(0, read));
            }

            if (buffer.Length >= MaxObjectBytes)
            {
                throw new SharedStateUnavailableException($"{_oid} is larger than {MaxObjectBytes} bytes");
            }

            buffer = new byte[buffer.Length * 4];
        }
    }

    private ulong? Replace(ulong expectedVersion, ReadOnlyMemory<byte> content)
    {
        ulong version;
        lock (_ioLock)
        {
            var op = RadosObjects.CreateWriteOp();
            try
            {
                if (expectedVersion == 0)
                {
                    RadosObjects.WriteOpCreate(op, RadosObjects.CreateExclusive, 0);
                }
                else
                {
                    RadosObjects.WriteOpAssertVersion(op, expectedVersion);
                }

                int result;
                fixed (byte* p = content.Span)
                {
                    RadosObjects.WriteOpWriteFull(op, p, (nuint)content.Length);
                    result = RadosObjects.WriteOpOperate(op, _ioctx, _oid, 0, 0);
                }

                // -ERANGE / -EOVERFLOW: the object's version is not the one asserted; -EEXIST: someone created it first.
                if (result is -RadosObjects.ERANGE or -RadosObjects.EOVERFLOW or -RadosObjects.EEXIST)
                {
                    return null;
                }

                if (result < 0)
                {
                    throw Unreachable("write", result);
                }

                version = RadosObjects.GetLastVersion(_ioctx);
            }
            finally
            {
                RadosObjects.ReleaseWriteOp(op);
            }
        }

        // This gateway watches the object too: its own notify is not news (the engine installs the write itself).
        Volatile.Write(ref _ownVersion, version);
        NotifyOthers(version, content.Span);
        return version;
    }

    /// <summary>
    /// Payload: the new version (8 bytes, big-endian) and the state. A timeout means some watcher did not
    /// acknowledge: a gateway that is cut off, which stops serving once its watch goes unconfirmed for
    /// <see cref="StaleAfter"/> (shorter than the timeout), or a dead one, whose watch the OSD drops.
    /// </summary>
    private void NotifyOthers(ulong version, ReadOnlySpan<byte> content)
    {
        var payload = new byte[8 + content.Length];
        BinaryPrimitives.WriteUInt64BigEndian(payload, version);
        content.CopyTo(payload.AsSpan(8));
        int result;
        nint reply;
        fixed (byte* p = payload)
        {
            result = RadosObjects.Notify2(_ioctx, _oid, p, payload.Length, (ulong)NotifyTimeout.TotalMilliseconds, out reply, out _);
        }

        if (reply != 0)
        {
            RadosObjects.BufferFree(reply);
        }

        _ = result;
    }

    private bool TryWatch()
    {
        lock (_ioLock)
        {
            if (_disposed)
            {
                return false;
            }

            if (_watching)
            {
                _ = RadosObjects.Unwatch2(_ioctx, _cookie);
                _watching = false;
            }

            var result = RadosObjects.Watch2(_ioctx, _oid, out _cookie, &OnNotify, &OnWatchError, GCHandle.ToIntPtr(_self));
            if (result == -RadosObjects.ENOENT && CreateEmpty())
            {
                // rados_watch2 needs the object: nothing was stored yet, so create it empty (an empty
                // state decodes as "no registrations") and watch that. A writer that computed from
                // "nothing stored" (version 0) fails its exclusive create, reloads and computes again.
                result = RadosObjects.Watch2(_ioctx, _oid, out _cookie, &OnNotify, &OnWatchError, GCHandle.ToIntPtr(_self));
            }

            _watching = result == 0;
            return _watching;
        }
    }

    /// <summary>Creates the state object empty unless it exists; false when the cluster refused.</summary>
    private bool CreateEmpty()
    {
        var op = RadosObjects.CreateWriteOp();
        try
        {
            RadosObjects.WriteOpCreate(op, RadosObjects.CreateExclusive, 0);
            var result = RadosObjects.WriteOpOperate(op, _ioctx, _oid, 0, 0);
            return result is 0 or -RadosObjects.EEXIST;
        }
        finally
        {
            RadosObjects.ReleaseWriteOp(op);
        }
    }

    /// <summary>Once a second: is the watch still confirmed? If not, stop serving and try to watch again.</summary>
    private void CheckWatch()
    {
        int age;
        lock (_ioLock)
        {
            if (_disposed)
            {
                return;
            }

            age = _watching ? RadosObjects.WatchCheck(_ioctx, _cookie) : -RadosObjects.ENOTCONN;
        }

        if (age >= 0 && age < StaleAfter.TotalMilliseconds)
        {
            if (!_available)
            {
                _available = true;
                _listener?.AvailabilityChanged(true);
            }

            return;
        }

        Unavailable();
        if (TryWatch())
        {
            _available = true;
            _listener?.AvailabilityChanged(true);
        }
    }

    private void Unavailable()
    {
        if (_available)
        {
            _available = false;
        }

        _listener?.AvailabilityChanged(false);
    }

    private SharedStateUnavailableException Unreachable(string what, int result) =>
        new($"{_oid}: rados {what} failed ({result})");

    [UnmanagedCallersOnly]
    private static void OnNotify(nint arg, ulong notifyId, ulong cookie, ulong notifierId, nint data, nuint length)
    {
        if (GCHandle.FromIntPtr(arg).Target is not RadosLuSharedState self)
        {
            return;
        }

        try
        {
            if (length >= 8)
            {
                var payload = new ReadOnlySpan<byte>((void*)data, (int)length);
                var image = new SharedStateImage(BinaryPrimitives.ReadUInt64BigEndian(payload), payload[8..].ToArray());
                if (image.Version != Volatile.Read(ref self._ownVersion))
                {
                    self._listener?.Changed(image);
                }
            }
        }
        catch (Exception)
        {
            // A listener failure must not unwind into librados; the generation check on the next PR command reloads.
        }
        finally
        {
            _ = RadosObjects.NotifyAck(self._ioctx, self._oid, notifyId, cookie, null, 0);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnWatchError(nint arg, ulong cookie, int error)
    {
        if (GCHandle.FromIntPtr(arg).Target is RadosLuSharedState self)
        {
            // The watch is gone (the OSD timed it out, the connection broke): changes may be missed.
            try
            {
                self.Unavailable();
            }
            catch (Exception)
            {
                // Never unwind into librados.
            }
        }
    }
}
