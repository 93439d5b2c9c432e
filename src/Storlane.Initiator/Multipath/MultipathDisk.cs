using Storlane.Initiator.Nvme;
using Storlane.Initiator.Scsi;
using Storlane.Initiator.Session;
using Storlane.Iscsi.Initiator;

namespace Storlane.Initiator.Multipath;

/// <summary>
/// One logical unit reached over several paths (sessions through different portals), with the
/// same Read/Write/Flush/Unmap API as <see cref="IscsiDisk"/>:
/// <code>
/// await using var disk = await MultipathDisk.OpenAsync(["iscsi://10.0.0.1/iqn.x/0", "iscsi://10.0.1.1/iqn.x/0"]);
/// </code>
/// Paths are grouped by the VPD 83h LU designator and refused when it differs. Each I/O goes to the
/// path the policy picks among the healthy paths of the best ALUA state; an I/O that meets a
/// transport error or a timeout is reissued on another path at once, while the failed path is
/// probed and reconnected in the background. Every failover is measured (<see cref="FailoverCompleted"/>).
/// </summary>
public sealed partial class MultipathDisk : BlockDisk
{
    private readonly MultipathPath[] _paths;
    private readonly MultipathOptions _options;
    private readonly IPathSelector _selector;
    private readonly FailoverMeter _meter = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _stateLock = new();
    private ISelectablePath[] _usable = [];
    private TaskCompletionSource _pathAvailable = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _monitor = Task.CompletedTask;
    private volatile string? _lastPathError;

    private MultipathDisk(MultipathPath[] paths, MultipathOptions options)
    {
        _paths = paths;
        _options = options;
        _selector = options.Selector ?? PathSelectors.Create(options.Policy, options.Failback, options.Time, options.IdleProbeInterval);
        _meter.Completed += failover => FailoverCompleted?.Invoke(failover);
    }

    public IReadOnlyList<MultipathPath> Paths => _paths;

    public IPathSelector Selector => _selector;


    /// <summary>Failovers measured so far.</summary>
    public long Failovers => _meter.Failovers;

    /// <summary>I/Os reissued on another path after a transport error or timeout.</summary>
    public long RetriedIos => _meter.RetriedTotal;

    /// <summary>A failover completed: from the last good I/O on the old path to the first on the new one.</summary>
    public event Action<FailoverEvent>? FailoverCompleted;

    /// <summary>A path was failed, put on probation or re-admitted.</summary>
    public event Action<PathStateChange>? PathStateChanged;

    /// <summary>
    /// Opens the LU each URL names, one path per URL: all <c>iscsi://[user[%secret]@]host[:port]/iqn/lun</c>,
    /// or all <c>nvme+tcp://host[:port]/subsystem-nqn/nsid</c> (one namespace through several portals).
    /// </summary>
    public static Task<MultipathDisk> OpenAsync(IEnumerable<string> urls, MultipathOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var texts = urls.ToList();
        if (texts.Count > 0 && texts.TrueForAll(NvmeUrl.IsNvmeUrl))
        {
            return OpenAsync(texts.ConvertAll(NvmeUrl.Parse), options, cancellationToken);
        }

        var parsed = new List<IscsiUrl>();
        foreach (var url in texts)
        {
            if (NvmeUrl.IsNvmeUrl(url))
            {
                throw new ArgumentException($"'{url}' is NVMe/TCP and the others iSCSI: a multipath disk's paths speak one protocol", nameof(urls));
            }

            parsed.Add(IscsiUrl.Parse(url));
        }

        return OpenAsync(parsed, options, cancellationToken);
    }

    public static async Task<MultipathDisk> OpenAsync(IReadOnlyList<IscsiUrl> urls, MultipathOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (urls.Count is 0 or > IPathSelector.MaxPaths)
        {
            throw new ArgumentException($"a multipath disk takes 1 to {IPathSelector.MaxPaths} URLs", nameof(urls));
        }

        options ??= new MultipathOptions();
        var connections = new PathConnection[urls.Count];
        for (var i = 0; i < urls.Count; i++)
        {
            if (urls[i].TargetName is null || urls[i].Lun is null)
            {
                throw new ArgumentException($"the URL '{urls[i]}' names no target and LUN (iscsi://host[:port]/iqn/lun)", nameof(urls));
            }

            connections[i] = new PathConnection(urls[i], IscsiDisk.WithUrlCredentials(options.Disk.Session, urls[i]), options.Port);
        }

        return await OpenAsync(connections, ownsConnections: true, urls, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens one namespace through several NVMe/TCP portals of the same subsystem, one controller per
    /// portal, with ANA-aware path choice: optimized paths first, non-optimized when no optimized
    /// one is left, inaccessible and persistent-loss paths never. An ANA change notice or an ANA
    /// path error re-reads the states; an I/O whose association drops is reissued on another path.
    /// </summary>
    public static async Task<MultipathDisk> OpenAsync(IReadOnlyList<NvmeUrl> urls, MultipathOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (urls.Count is 0 or > IPathSelector.MaxPaths)
        {
            throw new ArgumentException($"a multipath disk takes 1 to {IPathSelector.MaxPaths} URLs", nameof(urls));
        }

        options ??= new MultipathOptions();
        var paths = new MultipathPath[urls.Count];
        for (var i = 0; i < urls.Count; i++)
        {
            if (urls[i].Nsid is not { } nsid)
            {
                throw new ArgumentException($"the URL '{urls[i]}' names no namespace (nvme+tcp://host[:port]/subsystem-nqn/nsid)", nameof(urls));
            }

            if (urls[i].SubsystemNqn != urls[0].SubsystemNqn || nsid != urls[0].Nsid)
            {
                throw new ArgumentException($"the URLs name different namespaces ({urls[0]}, {urls[i]}): a multipath disk is one namespace", nameof(urls));
            }

            var connection = new NvmePathConnection(urls[i], options.Nvme, options.Port);
            paths[i] = new MultipathPath(i, urls[i].Portal, nsid, new PathHealth(options.Health, options.Time), connection, ownsConnection: true) { ReconnectDelay = options.MinReconnectDelay };
        }

        return await OpenAsync(paths, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the LU each URL names over the given connections (one per URL, in order); a <see cref="MultipathTarget"/> passes shared ones.</summary>
    internal static async Task<MultipathDisk> OpenAsync(PathConnection[] connections, bool ownsConnections, IReadOnlyList<IscsiUrl> urls, MultipathOptions options, CancellationToken cancellationToken)
    {
        var paths = new MultipathPath[urls.Count];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = new MultipathPath(i, urls[i], new PathHealth(options.Health, options.Time), connections[i], ownsConnections) { ReconnectDelay = options.MinReconnectDelay };
        }

        return await OpenAsync(paths, options, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<MultipathDisk> OpenAsync(MultipathPath[] paths, MultipathOptions options, CancellationToken cancellationToken)
    {
        var disk = new MultipathDisk(paths, options);
        try
        {
            await disk.ConnectAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await disk.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        disk._monitor = Task.Run(disk.MonitorLoopAsync, CancellationToken.None);
        return disk;
    }

    /// <summary>
    /// Asks the portal in <paramref name="url"/> for every portal of the URL's target (SendTargets)
    /// and opens the URL's LUN through each of them.
    /// </summary>
    public static async Task<MultipathDisk> DiscoverAsync(string url, MultipathOptions? options = null, CancellationToken cancellationToken = default)
    {
        var seed = IscsiUrl.Parse(url);
        options ??= new MultipathOptions();
        var sessionOptions = IscsiDisk.WithUrlCredentials(options.Disk.Session, seed);
        IReadOnlyList<DiscoveredTarget> targets;
        var discovery = await IscsiSession.ConnectDiscoveryAsync(seed.Host, seed.Port, sessionOptions, cancellationToken).ConfigureAwait(false);
        await using (discovery.ConfigureAwait(false))
        {
            targets = await discovery.SendTargetsAsync(cancellationToken).ConfigureAwait(false);
        }

        var urls = new List<IscsiUrl>();
        foreach (var target in targets)
        {
            if (!string.Equals(target.Name, seed.TargetName, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var portal in target.Portals)
            {
                urls.Add(seed with { Host = portal.Host, Port = portal.Port });
            }
        }

        if (urls.Count == 0)
        {
            throw new IOException($"{seed.Portal} reports no portal for {seed.TargetName}");
        }

        return await OpenAsync(urls, options, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        lock (_stateLock)
        {
            _pathAvailable.TrySetResult();
        }

        try
        {
            await _monitor.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        foreach (var path in _paths)
        {
            if (path.OwnsConnection)
            {
                await path.Connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        _stopping.Dispose();
    }

    /// <summary>Connects every path; paths that do not answer start failed and join later. At least one must open.</summary>
    private async Task ConnectAllAsync(CancellationToken cancellationToken)
    {
        Exception? firstError = null;
        var connected = 0;
        foreach (var path in _paths)
        {
            try
            {
                await ConnectPathAsync(path, cancellationToken).ConfigureAwait(false);
                connected++;
            }
            catch (Exception ex) when (ex is IscsiTransportException or IscsiLoginException or ScsiCommandException or NvmeTransportException or NvmeConnectException or NvmeCommandException)
            {
                firstError ??= ex;
                path.Health.Fail();
                path.NextReconnect = DateTime.UtcNow + path.ReconnectDelay;
            }
        }

        if (connected == 0)
        {
            throw new IOException("no path to the LU could be opened: " + firstError?.Message, firstError);
        }

        RebuildUsable();
    }
}
