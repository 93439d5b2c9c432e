using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Ceph;

/// <summary>
/// A throwaway Ceph cluster on this machine: one monitor on 127.0.0.1 (a free port), one memstore
/// OSD, one manager, and a pool for images, all in a temporary directory that holds the ceph.conf,
/// the daemons' data, admin sockets and logs. Starts in about 10-15 s as root; every daemon runs in
/// the foreground as a child tracked by PID (<see cref="LabProcess"/>), and dispose stops them by
/// PID and removes the directory. Tests, bench scripts and the lab use it; real clusters do not.
/// </summary>
public sealed class SingleNodeCeph : IAsyncDisposable
{
    private static readonly TimeSpan DaemonGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(250);

    private readonly List<LabProcess> _daemons = [];
    private readonly SingleNodeCephOptions _options;
    private int _disposed;

    private SingleNodeCeph(string directory, int monitorPort, Guid fsid, SingleNodeCephOptions options)
    {
        Directory = directory;
        MonitorPort = monitorPort;
        Fsid = fsid;
        _options = options;
    }

    /// <summary>The cluster's temporary directory (conf, data, run/ with admin sockets, log/).</summary>
    public string Directory { get; }

    /// <summary>The ceph.conf clients pass to librados (rados_conf_read_file) or to ceph/rbd with -c.</summary>
    public string ConfPath => Path.Combine(Directory, "ceph.conf");

    /// <summary>
    /// With <see cref="SingleNodeCephOptions.Cephx"/>, the keyring the conf names (client.admin and
    /// the daemons' keys); null when the cluster runs without authentication.
    /// </summary>
    public string? KeyringPath => _options.Cephx ? SingleNodeCephConf.KeyringPath(Directory) : null;

    /// <summary>The monitor's port on 127.0.0.1 (messenger v1).</summary>
    public int MonitorPort { get; }

    /// <summary>"127.0.0.1:port": the mon host a client may give instead of a conf file.</summary>
    public string MonitorHost => "127.0.0.1:" + MonitorPort.ToString(CultureInfo.InvariantCulture);

    public Guid Fsid { get; }

    /// <summary>The pool made for images at start.</summary>
    public string PoolName => _options.PoolName;

    /// <summary>PIDs of the running daemons (monitor, OSD, manager), for tests that check they stop.</summary>
    public IReadOnlyList<int> DaemonPids => [.. _daemons.Select(daemon => daemon.Pid)];

    /// <summary>
    /// Makes the directory and conf, creates and starts the monitor, the OSD and the manager, creates
    /// the pool, and returns once its placement groups are active. Any failure stops what was started
    /// and throws a <see cref="CephClusterException"/> naming the step (and, for a missing binary, the
    /// package).
    /// </summary>
    public static async Task<SingleNodeCeph> StartAsync(SingleNodeCephOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SingleNodeCephOptions();
        if (CephPrerequisites.UnavailableReason() is { } reason)
        {
            throw new CephClusterException(reason);
        }

        var parent = options.ParentDirectory ?? Path.GetTempPath();
        var directory = System.IO.Directory.CreateTempSubdirectory("storlane-ceph-").FullName;
        if (options.ParentDirectory is not null)
        {
            System.IO.Directory.Delete(directory);
            directory = Path.Combine(parent, Path.GetFileName(directory));
            System.IO.Directory.CreateDirectory(directory);
        }

        var cluster = new SingleNodeCeph(directory, FreeLoopbackPort(), Guid.NewGuid(), options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.StartTimeout);
        try
        {
            await cluster.BootstrapAsync(deadline.Token).ConfigureAwait(false);
            return cluster;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var logs = cluster.LogTail();
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw new CephClusterException($"the single-node Ceph did not become ready within {options.StartTimeout.TotalSeconds:0} s{logs}");
        }
        catch (Exception e)
        {
            var logs = cluster.LogTail();
            await cluster.DisposeAsync().ConfigureAwait(false);
            if (e is CephClusterException && logs.Length == 0)
            {
                throw;
            }

            throw new CephClusterException(e.Message + logs, e);
        }
    }

    /// <summary>Runs `ceph -c conf ARGS` and returns its output.</summary>
    public Task<string> CephAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default) =>
        RunToolAsync("ceph", [.. ConfArguments(), "--connect-timeout", "30", .. arguments], cancellationToken);

    /// <summary>Runs `rbd -c conf ARGS` and returns its output.</summary>
    public Task<string> RbdAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default) =>
        RunToolAsync("rbd", [.. ConfArguments(), .. arguments], cancellationToken);

    /// <summary>Runs `rados -c conf ARGS` and returns its output.</summary>
    public Task<string> RadosAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default) =>
        RunToolAsync("rados", [.. ConfArguments(), .. arguments], cancellationToken);

    /// <summary>Creates an image of <paramref name="sizeInBytes"/> in <see cref="PoolName"/> (or <paramref name="pool"/>).</summary>
    public Task CreateImageAsync(string image, long sizeInBytes, string? pool = null, CancellationToken cancellationToken = default) =>
        RbdAsync(["create", "--size", (sizeInBytes >> 20).ToString(CultureInfo.InvariantCulture) + "M", (pool ?? PoolName) + "/" + image], cancellationToken);

    /// <summary>Removes an image (and its data) from <see cref="PoolName"/> (or <paramref name="pool"/>).</summary>
    public Task RemoveImageAsync(string image, string? pool = null, CancellationToken cancellationToken = default) =>
        RbdAsync(["rm", "--no-progress", (pool ?? PoolName) + "/" + image], cancellationToken);

    /// <summary>
    /// Makes a cephx client as a gateway would get on a real cluster: <c>client.ID</c> with the rbd
    /// profile on <paramref name="pool"/> (the image pool when null) and nothing else, its keyring
    /// written to the cluster's directory. Returns that keyring's path.
    /// </summary>
    public async Task<string> CreateClientAsync(string id, string? pool = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var keyring = Path.Combine(Directory, "ceph.client." + id + ".keyring");
        await CephAsync(["auth", "get-or-create", "client." + id, "mon", "profile rbd", "osd", "profile rbd pool=" + (pool ?? PoolName), "mgr", "profile rbd pool=" + (pool ?? PoolName), "-o", keyring], cancellationToken).ConfigureAwait(false);
        return keyring;
    }

    /// <summary>Creates another replicated pool, tagged for <paramref name="application"/>, and waits until it is active.</summary>
    public async Task CreatePoolAsync(string pool, string application = "rbd", CancellationToken cancellationToken = default)
    {
        await CephAsync(["osd", "pool", "create", pool, _options.PlacementGroups.ToString(CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
        await CephAsync(["osd", "pool", "application", "enable", pool, application], cancellationToken).ConfigureAwait(false);
        await WaitForActivePlacementGroupsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the daemons by PID (SIGTERM, then SIGKILL after a grace) and removes the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Clients first, the monitor last, so no daemon spins looking for a monitor that is gone.
        for (var i = _daemons.Count - 1; i >= 0; i--)
        {
            await _daemons[i].StopAsync(DaemonGrace).ConfigureAwait(false);
        }

        if (!_options.KeepDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        foreach (var sub in new[] { "run", "log", "mon.a", "osd.0", "mgr.x", "mgr-modules" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, sub));
        }

        await File.WriteAllTextAsync(ConfPath, SingleNodeCephConf.Build(Directory, Fsid, MonitorPort, _options), cancellationToken).ConfigureAwait(false);
        if (KeyringPath is { } keyring)
        {
            await CreateKeyringAsync(keyring, cancellationToken).ConfigureAwait(false);
        }

        await RunToolAsync("ceph-mon", [.. ConfArguments(), "--mkfs", "-i", "a"], cancellationToken).ConfigureAwait(false);
        StartDaemon("ceph-mon", "-i", "a");

        // `osd create` allocates id 0; crush add places it under the default root so PGs map to it.
        await CephAsync(["osd", "create"], cancellationToken).ConfigureAwait(false);
        await CephAsync(["osd", "crush", "add", "osd.0", "1", "root=default"], cancellationToken).ConfigureAwait(false);
        await RunToolAsync("ceph-osd", [.. ConfArguments(), "-i", "0", "--mkfs", "--mkjournal"], cancellationToken).ConfigureAwait(false);
        StartDaemon("ceph-osd", "-i", "0");
        StartDaemon("ceph-mgr", "-i", "x");

        await CephAsync(["osd", "pool", "create", PoolName, _options.PlacementGroups.ToString(CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
        await CephAsync(["osd", "pool", "application", "enable", PoolName, "rbd"], cancellationToken).ConfigureAwait(false);
        await WaitForActivePlacementGroupsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// cephx: one keyring with a key for every entity, made before the monitor exists. `ceph-mon
    /// --mkfs` imports each key with its capabilities into the monitor's auth database, so the OSD
    /// and manager need no `ceph auth add` once it runs.
    /// </summary>
    private static async Task CreateKeyringAsync(string keyring, CancellationToken cancellationToken)
    {
        string[][] entities =
        [
            ["mon.", "--cap", "mon", "allow *"],
            ["client.admin", "--cap", "mon", "allow *", "--cap", "osd", "allow *", "--cap", "mgr", "allow *", "--cap", "mds", "allow *"],
            ["osd.0", "--cap", "mon", "allow profile osd", "--cap", "mgr", "allow profile osd", "--cap", "osd", "allow *"],
            ["mgr.x", "--cap", "mon", "allow profile mgr", "--cap", "osd", "allow *", "--cap", "mds", "allow *"],
        ];
        var create = true;
        foreach (var entity in entities)
        {
            string[] arguments = create ? ["--create-keyring", keyring] : [keyring];
            await CephCommand.RunAsync("ceph-authtool", [.. arguments, "--gen-key", "-n", .. entity], CephCommand.DefaultTimeout, cancellationToken).ConfigureAwait(false);
            create = false;
        }
    }

    private void StartDaemon(string binary, params string[] arguments)
    {
        var prefix = _options.CommandPrefix;
        var info = new ProcessStartInfo(prefix.Count > 0 ? prefix[0] : binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        if (prefix.Count > 0)
        {
            foreach (var word in prefix.Skip(1))
            {
                info.ArgumentList.Add(word);
            }

            info.ArgumentList.Add(binary);
        }

        // -f: stay in the foreground (so the PID is the daemon's) and log to the conf's file.
        foreach (var argument in (string[])[.. ConfArguments(), "-f", .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            _daemons.Add(LabProcess.Start(info));
        }
        catch (InvalidOperationException e)
        {
            throw new CephClusterException($"cannot start {binary}: {e.Message}; install {CephPrerequisites.PackageList}", e);
        }
    }

    /// <summary>
    /// Ready means every placement group the manager knows of is active and the pools' groups all
    /// exist: the monitor, OSD and manager are up and a client write will be served at once.
    /// </summary>
    private async Task WaitForActivePlacementGroupsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            foreach (var daemon in _daemons)
            {
                if (daemon.Exited.IsCompleted)
                {
                    throw new CephClusterException($"'{daemon.CommandLine}' exited during start: {daemon.StandardError.Trim()}");
                }
            }

            var json = await CephAsync(["pg", "stat", "--format", "json"], cancellationToken).ConfigureAwait(false);
            if (AllPlacementGroupsActive(json, _options.PlacementGroups))
            {
                return;
            }

            await Task.Delay(ReadyPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static bool AllPlacementGroupsActive(string pgStatJson, int atLeast)
    {
        using var document = JsonDocument.Parse(pgStatJson);
        if (!document.RootElement.TryGetProperty("pg_summary", out var summary)
            || !summary.TryGetProperty("num_pgs", out var total)
            || total.GetInt32() < atLeast
            || !summary.TryGetProperty("num_pg_by_state", out var states))
        {
            return false;
        }

        foreach (var state in states.EnumerateArray())
        {
            var name = state.GetProperty("name").GetString() ?? string.Empty;
            if (!name.StartsWith("active", StringComparison.Ordinal) || name.Contains("peering", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private string[] ConfArguments() => ["-c", ConfPath];

    /// <summary>A short tool (ceph, rbd, rados, a daemon's --mkfs) through the options' command prefix.</summary>
    private Task<string> RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var prefix = _options.CommandPrefix;
        return prefix.Count == 0
            ? CephCommand.RunAsync(tool, arguments, CephCommand.DefaultTimeout, cancellationToken)
            : CephCommand.RunAsync(prefix[0], [.. prefix.Skip(1), tool, .. arguments], CephCommand.DefaultTimeout, cancellationToken);
    }

    /// <summary>The last lines of each daemon's log, so a failed start explains itself.</summary>
    private string LogTail()
    {
        var logDirectory = Path.Combine(Directory, "log");
        if (!System.IO.Directory.Exists(logDirectory))
        {
            return string.Empty;
        }

        var tail = new System.Text.StringBuilder();
        foreach (var log in System.IO.Directory.EnumerateFiles(logDirectory, "*.log"))
        {
            var lines = File.ReadAllLines(log);
            var errors = lines.Where(line => line.Contains(" -1 ", StringComparison.Ordinal)).TakeLast(5).ToArray();
            if (errors.Length > 0)
            {
                tail.Append("\n  ").Append(Path.GetFileName(log)).Append(": ").AppendJoin("\n    ", errors);
            }
        }

        return tail.ToString();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
