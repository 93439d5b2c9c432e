using System.Globalization;
using System.Text;
using Storlane.Ceph.Native;
using Storlane.Ceph.Rados;
using Storlane.Scsi;

namespace Storlane.Ceph;

/// <summary>
/// Gateway ownership as a cls_lock exclusive lock with a duration on one RADOS object per target
/// (<see cref="ObjectName"/>): the cookie is the owner's target port group. Taking it with
/// LOCK_FLAG_MAY_RENEW acquires it when free or expired and renews it when held; an owner that dies
/// stops renewing and the lock expires after the duration. Not RBD's exclusive lock: librbd hands that
/// lock to whichever client writes, so with every gateway active it would move on every write, and it
/// says nothing about which gateway initiators should prefer; this lease only steers ALUA preference
/// and no I/O waits on it (see docs/scale-out.md).
/// </summary>
public sealed unsafe class RadosOwnershipLease : IOwnershipLease, IDisposable
{
    private const string LockName = "storlane.owner";

    private readonly RadosIoContextHandle _pool;
    private readonly nint _ioctx;
    private readonly string _oid;
    private int _disposed;

    /// <param name="pool">An I/O context on the pool that holds the lease object; kept open (by reference) until this is disposed.</param>
    /// <param name="targetName">The target (IQN) whose gateways compete for ownership.</param>
    public RadosOwnershipLease(RadosIoContext pool, string targetName)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentException.ThrowIfNullOrEmpty(targetName);
        var added = false;
        pool.Handle.DangerousAddRef(ref added);
        _pool = pool.Handle;
        _ioctx = _pool.DangerousGetHandle();
        _oid = ObjectName(targetName);
    }

    /// <summary>The lease object of a target (IQN characters are safe in object names).</summary>
    public static string ObjectName(string targetName) => "storlane.owner." + targetName;

    public ValueTask<ushort> AcquireOrRenewAsync(ushort group, TimeSpan duration, CancellationToken cancellationToken) =>
        new(Task.Run(() => AcquireOrRenew(group, duration), cancellationToken));

    public ValueTask<ushort?> HolderAsync(CancellationToken cancellationToken) =>
        new(Task.Run(Holder, cancellationToken));

    public ValueTask ReleaseAsync(ushort group, CancellationToken cancellationToken) =>
        new(Task.Run(
            () =>
            {
                var result = RadosObjects.Unlock(_ioctx, _oid, LockName, Cookie(group));
                if (result < 0 && result != -RadosObjects.ENOENT)
                {
                    throw new SharedStateUnavailableException($"{_oid}: rados unlock failed ({result})");
                }
            },
            cancellationToken));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _pool.DangerousRelease();
        }
    }

    private static string Cookie(ushort group) => group.ToString(CultureInfo.InvariantCulture);

    private ushort AcquireOrRenew(ushort group, TimeSpan duration)
    {
        var span = new RadosObjects.TimeVal { Seconds = (long)duration.TotalSeconds, Microseconds = duration.Microseconds };
        var result = RadosObjects.LockExclusive(_ioctx, _oid, LockName, Cookie(group), "storlane gateway owner", &span, RadosObjects.LockMayRenew);
        if (result == 0)
        {
            return group;
        }

        if (result != -RadosObjects.EBUSY)
        {
            throw new SharedStateUnavailableException($"{_oid}: rados lock failed ({result})");
        }

        // Held by another gateway: its cookie names it. Between our try and this read it may have expired.
        return Holder() ?? group;
    }

    private ushort? Holder()
    {
        nuint tagLength = 256, clientsLength = 1024, cookiesLength = 1024, addressesLength = 1024;
        var tag = stackalloc byte[(int)tagLength];
        var clients = stackalloc byte[(int)clientsLength];
        var cookies = stackalloc byte[(int)cookiesLength];
        var addresses = stackalloc byte[(int)addressesLength];
        var count = RadosObjects.ListLockers(_ioctx, _oid, LockName, out _, tag, ref tagLength, clients, ref clientsLength, cookies, ref cookiesLength, addresses, ref addressesLength);
        if (count == -RadosObjects.ENOENT || count == 0)
        {
            return null;
        }

        if (count < 0)
        {
            throw new SharedStateUnavailableException($"{_oid}: rados list lockers failed ({count})");
        }

        // Cookies come as NUL-terminated strings, one per locker; an exclusive lock has one.
        var first = new ReadOnlySpan<byte>(cookies, (int)cookiesLength);
        var end = first.IndexOf((byte)0);
        var text = Encoding.UTF8.GetString(end < 0 ? first : first[..end]);
        return ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var holder) ? holder : null;
    }
}
