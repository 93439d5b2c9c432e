using System.Globalization;
using System.Text;
using Storlane.Ceph.Native;

namespace Storlane.Ceph.Rados;

/// <summary>
/// A connection to a Ceph cluster (librados rados_t). Thread-safe; one per process is plenty,
/// shared by every pool and image opened through it. Dispose shuts the connection down once the
/// last I/O context made from it is gone.
/// </summary>
public sealed class RadosCluster : IDisposable
{
    private readonly RadosClusterHandle _handle;

    private RadosCluster(RadosClusterHandle handle, string fsid, string description)
    {
        _handle = handle;
        Fsid = fsid;
        Description = description;
    }

    /// <summary>The cluster's fsid, as in its ceph.conf.</summary>
    public string Fsid { get; }

    /// <summary>"client.ID via CONF/mon host", for log lines and error messages.</summary>
    public string Description { get; }

    internal RadosClusterHandle Handle => _handle;

    /// <summary>
    /// Reads the conf, applies the options and timeouts, and connects. Blocks the calling thread up
    /// to <see cref="RadosConnectOptions.ConnectTimeout"/>; use <see cref="ConnectAsync"/> from async code.
    /// </summary>
    public static RadosCluster Connect(RadosConnectOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var description = "client." + options.ClientId + " via " + (options.MonitorHost is { } host ? "mon host " + host : options.ConfPath ?? "the default ceph.conf");
        if (options.ConfPath is not null && !File.Exists(options.ConfPath))
        {
            throw new CephException($"ceph conf '{options.ConfPath}' does not exist");
        }

        if (options.KeyringPath is not null && !File.Exists(options.KeyringPath))
        {
            throw new CephException($"keyring '{options.KeyringPath}' does not exist");
        }

        CephException.ThrowIfError(LibRados.Create2(out var handle, "ceph", "client." + options.ClientId, 0), "rados_create2", "client." + options.ClientId);
        try
        {
            if (options.ConfPath is not null)
            {
                CephException.ThrowIfError(LibRados.ConfReadFile(handle, options.ConfPath), "rados_conf_read_file", options.ConfPath);
            }
            else if (options.MonitorHost is null)
            {
                CephException.ThrowIfError(LibRados.ConfReadFile(handle, null), "rados_conf_read_file", "(default search path /etc/ceph/ceph.conf)");
            }

            if (options.MonitorHost is not null)
            {
                Set(handle, "mon_host", options.MonitorHost);
            }

            if (options.KeyringPath is not null)
            {
                Set(handle, "keyring", options.KeyringPath);
            }

            Set(handle, "client_mount_timeout", Seconds(options.ConnectTimeout));
            Set(handle, "rados_mon_op_timeout", Seconds(options.OperationTimeout));
            Set(handle, "rados_osd_op_timeout", Seconds(options.OperationTimeout));
            // A discard must leave zeros behind, however small (SBC-3 LBPRZ: unmapped blocks read as
            // zeros): librbd otherwise skips discards that do not cover whole 64 KiB granules.
            Set(handle, "rbd_skip_partial_discard", "false");
            Set(handle, "rbd_discard_granularity_bytes", "4096");
            foreach (var (key, value) in options.Options)
            {
                Set(handle, key, value);
            }

            CephException.ThrowIfError(LibRados.Connect(handle), "rados_connect", "as " + description);
            return new RadosCluster(handle, ReadFsid(handle), description);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Connects on the thread pool so the caller's thread never waits on the monitors.</summary>
    public static Task<RadosCluster> ConnectAsync(RadosConnectOptions options, CancellationToken cancellationToken = default) =>
        Task.Run(() => Connect(options), cancellationToken);

    /// <summary>Opens an I/O context on <paramref name="pool"/>; ENOENT when the pool does not exist.</summary>
    public RadosIoContext OpenPool(string pool)
    {
        ArgumentException.ThrowIfNullOrEmpty(pool);
        CephException.ThrowIfError(LibRados.IoContextCreate(_handle, pool, out var ioContext), "rados_ioctx_create", "for pool '" + pool + "'");
        ioContext.HoldParent(_handle);
        return new RadosIoContext(ioContext, Fsid, pool, LibRados.IoContextGetId(ioContext));
    }

    public void Dispose() => _handle.Dispose();

    private static void Set(RadosClusterHandle handle, string option, string value) =>
        CephException.ThrowIfError(LibRados.ConfSet(handle, option, value), "rados_conf_set", option + "=" + value);

    private static string Seconds(TimeSpan timeout) => ((long)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static unsafe string ReadFsid(RadosClusterHandle handle)
    {
        // 36 characters and a terminator; librados answers -ERANGE if that ever changes.
        var buffer = stackalloc byte[64];
        var length = CephException.ThrowIfError(LibRados.ClusterFsid(handle, buffer, 64), "rados_cluster_fsid");
        return Encoding.ASCII.GetString(buffer, (int)length);
    }
}
