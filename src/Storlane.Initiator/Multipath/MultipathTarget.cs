
namespace Storlane.Initiator.Multipath;

/// <summary>
/// One iSCSI target reached over several portals, with one session per portal that every LU
/// shares (as a Windows MPIO or dm-multipath host does: one I_T nexus per path, not one per LU per
/// path):
/// <code>
/// await using var target = await MultipathTarget.OpenAsync(["iscsi://10.0.0.1/iqn.x", "iscsi://10.0.1.1/iqn.x"], options);
/// await using var lun0 = await target.OpenDiskAsync(0);
/// await using var lun1 = await target.OpenDiskAsync(1);
/// </code>
/// Each path's port is shared too, so LeastQueueDepth and the other load policies count the I/Os
/// of every LU on a path, as MSDSM does. A path's session is reconnected by the first LU that finds
/// it dead; the others pick up the new session.
/// </summary>
public sealed class MultipathTarget : IAsyncDisposable
{
    private readonly PathConnection[] _connections;
    private readonly MultipathOptions _options;

    private MultipathTarget(PathConnection[] connections, MultipathOptions options)
    {
        _connections = connections;
        _options = options;
    }

    /// <summary>The name of each path (<see cref="IscsiUrl.PathName"/>: "host:port", with " via " and the source address when bound), in the order of the URLs.</summary>
    public IReadOnlyList<string> Paths => [.. _connections.Select(c => c.Name)];

    public string TargetName => _connections[0].Url.TargetName!;

    /// <summary>Sessions connected now (at most one per path, however many LUs are open).</summary>
    public int ConnectedSessions
    {
        get
        {
            var count = 0;
            foreach (var connection in _connections)
            {
                if (connection.Session is { IsConnected: true })
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>
    /// Connects one session per URL (<c>iscsi://[user[%secret]@]host[:port]/iqn[/lun]</c>; a LUN in
    /// the URL is ignored). Every URL must name the same target; at least one must connect, the
    /// others join when they do. <paramref name="options"/> supplies the session and port settings
    /// of every path, and the defaults for <see cref="OpenDiskAsync"/>.
    /// </summary>
    public static async Task<MultipathTarget> OpenAsync(IEnumerable<string> urls, MultipathOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var parsed = new List<IscsiUrl>();
        foreach (var url in urls)
        {
            parsed.Add(IscsiUrl.Parse(url));
        }

        if (parsed.Count is 0 or > IPathSelector.MaxPaths)
        {
            throw new ArgumentException($"a multipath target takes 1 to {IPathSelector.MaxPaths} URLs", nameof(urls));
        }

        foreach (var url in parsed)
        {
            if (url.TargetName is null)
            {
                throw new ArgumentException($"the URL '{url}' names no target (iscsi://host[:port]/iqn)", nameof(urls));
            }

            if (!string.Equals(url.TargetName, parsed[0].TargetName, StringComparison.Ordinal))
            {
                throw new ArgumentException($"the URLs name different targets ({parsed[0].TargetName}, {url.TargetName}): a multipath target is one target", nameof(urls));
            }
        }

        options ??= new MultipathOptions();
        var connections = new PathConnection[parsed.Count];
        for (var i = 0; i < connections.Length; i++)
        {
            var url = parsed[i] with { Lun = null };
            connections[i] = new PathConnection(url, IscsiDisk.WithUrlCredentials(options.Disk.Session, url), options.Port);
        }

        var target = new MultipathTarget(connections, options);
        Exception? firstError = null;
        var connected = 0;
        foreach (var connection in connections)
        {
            try
            {
                await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
                connected++;
            }
            catch (Exception ex) when (ex is IscsiTransportException or IscsiLoginException)
            {
                firstError ??= ex;
            }
        }

        if (connected == 0)
        {
            await target.DisposeAsync().ConfigureAwait(false);
            throw new IOException("no path to the target could be opened: " + firstError?.Message, firstError);
        }

        return target;
    }

    /// <summary>
    /// Opens LU <paramref name="lun"/> over the shared sessions. <paramref name="options"/> (default:
    /// the target's) chooses the policy, health and probe settings of this LU; session and port
    /// settings are always the target's, since the sessions are.
    /// </summary>
    public Task<MultipathDisk> OpenDiskAsync(ulong lun, MultipathOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (lun > IscsiUrl.MaxLun)
        {
            throw new ArgumentOutOfRangeException(nameof(lun), lun, $"a LUN goes from 0 to {IscsiUrl.MaxLun}");
        }

        var urls = new IscsiUrl[_connections.Length];
        for (var i = 0; i < urls.Length; i++)
        {
            urls[i] = _connections[i].Url with { Lun = (int)lun };
        }

        return MultipathDisk.OpenAsync(_connections, ownsConnections: false, urls, options ?? _options, cancellationToken);
    }

    /// <summary>Logs every session out. Disks opened from this target stop working; dispose them first.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
