using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Storlane.Scsi;
using Storlane.Storage;
using Storlane.Target.Connections;
using Storlane.Target.Portals;

namespace Storlane.Target;

/// <summary>
/// The iSCSI target: opens every LUN's device, listens on every portal, serves sessions until
/// stopped. Stop closes the listeners, aborts in-flight commands and flushes every device.
/// </summary>
public sealed partial class IscsiTargetServer : IAsyncDisposable
{
    private readonly TargetLoggers _loggers;
    private readonly ILogger _logger;
    private readonly List<(string Target, ulong Lun, IBlockDevice Device)> _devices = [];
    private readonly ConcurrentDictionary<IscsiConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILocalAddressSource _addresses;
    private readonly bool _ownsAddressSource;
    private readonly TimeProvider _time;
    private ServerContext? _context;
    private PortalSet? _portals;
    private int _stopped;

    public IscsiTargetServer(TargetServerOptions options, ILoggerFactory loggerFactory)
        : this(options, loggerFactory, null)
    {
    }

    /// <param name="addresses">The host's addresses for wildcard portals; null watches the OS's (tests pass a fake).</param>
    /// <param name="time">The clock of the NOP-In, login and PDU-stall timeouts and CHAP throttle delays; null is the system's (tests pass a fake to step it).</param>
    public IscsiTargetServer(TargetServerOptions options, ILoggerFactory loggerFactory, ILocalAddressSource? addresses, TimeProvider? time = null)
    {
        Options = options;
        _time = time ?? TimeProvider.System;
        _loggers = new TargetLoggers(loggerFactory);
        _logger = _loggers.Server;
        _ownsAddressSource = addresses is null;
        _addresses = addresses ?? new SystemLocalAddressSource(logger: _loggers.Portals);
    }

    public TargetServerOptions Options { get; }

    /// <summary>
    /// The endpoints listening now, in portal order (a portal with port 0 gets an ephemeral port, a
    /// wildcard portal one endpoint per address). Changes as addresses come and go.
    /// </summary>
    public IReadOnlyList<IPEndPoint> BoundEndpoints
    {
        get
        {
            var current = _portals?.Current ?? [];
            var endpoints = new IPEndPoint[current.Count];
            for (var i = 0; i < endpoints.Length; i++)
            {
                endpoints[i] = current[i].Endpoint;
            }

            return endpoints;
        }
    }

    /// <summary>The portals listening now, with their groups.</summary>
    public IReadOnlyList<BoundPortal> ListeningPortals => _portals?.Current ?? [];

    /// <summary>
    /// The SCSI target device serving a configured target (null before the start or for an unknown
    /// name): its logical units are the ones another transport (NVMe/TCP) serves too.
    /// </summary>
    public ScsiTargetDevice? TargetDevice(string targetName) =>
        _context is { } context && context.Targets.TryGetValue(targetName, out var node) ? node.Device : null;

    /// <summary>Endpoints of literal-address portals whose address is not on this host yet.</summary>
    public int WaitingPortals => _portals?.WaitingCount ?? 0;

    /// <summary>Connections open now (accepted on a portal and admitted).</summary>
    public int OpenConnections => _context?.Admission.Open ?? 0;

    /// <summary>Data-transfer buffer bytes all connections hold now (bounded by <see cref="TargetLimits.BufferBudgetBytes"/>).</summary>
    public long BufferBytesHeld => _context?.Buffers.Held ?? 0;

    /// <summary>Failed CHAP attempts being slowed (null before the start).</summary>
    internal Sessions.AuthFailureThrottle? AuthThrottle => _context?.AuthThrottle;

    /// <summary>Sessions currently logged in (discovery included).</summary>
    public int SessionCount => _context?.Sessions.Count ?? 0;

    /// <summary>Opens the LUNs and binds every portal; throws <see cref="TargetStartException"/> with a clear reason.</summary>
    /// <summary>
    /// Counts the process's open descriptors again and lowers the connection limit to what they
    /// leave room for: the host (storlane serve) calls it once everything it runs beside the target
    /// has started, since those descriptors were not open when the limit was first set.
    /// </summary>
    public void RecountDescriptors()
    {
        if (_context is null)
        {
            return;
        }

        var before = _context.Admission.MaxConnections;
        _context.Admission.SetDescriptorAllowance(DescriptorLimit.ConnectionsAllowed(DescriptorLimit.ReadOpenFilesLimit(), DescriptorLimit.CountOpen()));
        if (_context.Admission.MaxConnections < before)
        {
            TargetLog.ConnectionsLimitedByDescriptors(_logger, Options.Limits.MaxConnections, _context.Admission.MaxConnections);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_context is not null)
        {
            throw new InvalidOperationException("the target is already started");
        }

        if (Options.Portals.Count == 0)
        {
            throw new TargetStartException("no portals configured: the target would not listen anywhere");
        }

        var conflicts = new List<string>();
        var groupStates = PortalGroupStates.Of(Options.Portals, conflicts);
        if (conflicts.Count > 0)
        {
            throw new TargetStartException(conflicts[0]);
        }

        foreach (var (group, state) in groupStates)
        {
            if (state != TargetPortGroupState.ActiveOptimized)
            {
                TargetLog.PortalGroupStateConfigured(_logger, group, state);
            }
        }

        try
        {
            var targets = OpenTargets(groupStates);
            _context = new ServerContext(Options, targets, _loggers, _time);
            if (_context.Admission.MaxConnections < Options.Limits.MaxConnections)
            {
                TargetLog.ConnectionsLimitedByDescriptors(_logger, Options.Limits.MaxConnections, _context.Admission.MaxConnections);
            }

            foreach (var portal in Options.Portals)
            {
                if (!IPAddress.TryParse(portal.Address, out _))
                {
                    throw new TargetStartException($"portal {portal}: '{portal.Address}' is not an IP address");
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            _portals = new PortalSet(Options.Portals, _addresses, OnAccepted, _loggers.Portals);
            _context.Portals = () => _portals.Current;
            _portals.Open();
        }
        catch
        {
            _portals?.CloseAsync().GetAwaiter().GetResult();
            StopOwnershipsAsync().AsTask().GetAwaiter().GetResult();
            DisposeDevicesAsync().AsTask().GetAwaiter().GetResult();

            // A start that failed leaves no timer firing and no instruments behind.
            _context?.Heartbeat.Dispose();
            _context?.Metrics.Dispose();
            throw;
        }

        return Task.CompletedTask;
    }

    private Dictionary<string, TargetNode> OpenTargets(SortedDictionary<ushort, TargetPortGroupState> groupStates)
    {
        var targets = new Dictionary<string, TargetNode>(StringComparer.OrdinalIgnoreCase);
        foreach (var options in Options.Targets)
        {
            if (targets.ContainsKey(options.Name))
            {
                throw new TargetStartException($"target {options.Name} is configured twice");
            }

            var device = NewTargetDevice(options.Name);
            device.AbortTasks = (lun, match) => AbortTasks(device, lun, match);
            device.EndAllSessions = () => EndAllSessions(device);

            // Every portal group is a target port (relative port id = TPGT) and its own ALUA group,
            // known before any initiator uses it so REPORT/SET TARGET PORT GROUPS see them all.
            foreach (var portal in Options.Portals)
            {
                device.AddTargetPort(portal.Group, portal.Group);
            }

            // The configured ALUA states, set before any portal listens: no nexus exists yet, so no
            // unit attention is due. A group left active/optimized keeps STATUS CODE 00h.
            foreach (var (group, state) in groupStates)
            {
                if (state != TargetPortGroupState.ActiveOptimized)
                {
                    device.SetTargetPortGroupState(group, state);
                }
            }

            foreach (var lun in options.Luns)
            {
                var block = LunDevices.Open(options, lun, OpenRbd);
                _devices.Add((options.Name, lun.Lun, block));
                try
                {
                    device.AddLogicalUnit(lun.Lun, block, LunDevices.UnitOptions(lun, block, ClusterStateOf(block)));
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException)
                {
                    // A damaged reservation or sanitize journal beside the image: refuse to serve it.
                    throw new TargetStartException($"{options.Name} LUN {lun.Lun}: {ex.Message}", ex);
                }

                if (lun.Offline)
                {
                    device.StartOffline(lun.Lun);
                }

                TargetLog.ServingLun(_logger, options.Name, lun.Lun, block.Geometry.ToString(), LunDevices.Describe(lun));
            }

            StartOwnership(options, device);
            targets.Add(options.Name, new TargetNode(options, device));
        }

        return targets;
    }

    /// <summary>Aborts the tasks on one LU of the sessions whose nexus matches (PREEMPT AND ABORT).</summary>
    private void AbortTasks(ScsiTargetDevice device, ulong lun, Func<ItNexus, bool> match)
    {
        foreach (var session in _context!.Sessions.Snapshot())
        {
            if (ReferenceEquals(session.Target?.Device, device) && session.Nexus is { } nexus && match(nexus))
            {
                session.Connection?.AbortTasksFromOtherNexus(lun);
            }
        }
    }

    /// <summary>A TARGET COLD RESET received by another gateway of the target's shared LUs (RFC 7143 11.5.1).</summary>
    private void EndAllSessions(ScsiTargetDevice device)
    {
        foreach (var session in _context!.Sessions.Snapshot())
        {
            if (ReferenceEquals(session.Target?.Device, device))
            {
                session.Connection?.Abort("target cold reset through another gateway");
            }
        }
    }

    /// <summary>
    /// Replaces the portal list live (a reloaded config): new portals start listening, removed ones
    /// stop, unchanged ones keep their listeners; established sessions are not touched. Portal
    /// groups must be ones the target started with (they are SCSI target ports, fixed per LU).
    /// </summary>
    /// <returns>Binds that failed (other than addresses not on the host yet).</returns>
    public IReadOnlyList<(PortalOptions Portal, SocketException Error)> UpdatePortals(IReadOnlyList<PortalOptions> portals)
    {
        var set = _portals ?? throw new InvalidOperationException("start the target first");
        var problems = CheckPortals(portals);
        if (problems.Count > 0)
        {
            throw new ArgumentException(problems[0], nameof(portals));
        }

        return set.Update(portals);
    }

    /// <summary>Why <see cref="UpdatePortals"/> would refuse this list (empty when it would not), without changing anything.</summary>
    public IReadOnlyList<string> CheckPortals(IReadOnlyList<PortalOptions> portals)
    {
        ArgumentNullException.ThrowIfNull(portals);
        var problems = new List<string>();
        foreach (var portal in portals)
        {
            if (!IPAddress.TryParse(portal.Address, out _))
            {
                problems.Add($"portal {portal}: '{portal.Address}' is not an IP address");
            }
            else if (!HasGroup(portal.Group))
            {
                problems.Add($"portal {portal}: portal group {portal.Group} is not one the target started with; a new group needs a restart");
            }
        }

        PortalGroupStates.Of(portals, problems);
        return problems;
    }

    /// <summary>
    /// Sets a portal group's ALUA state on every target while it serves (an administrator's implicit
    /// transition, e.g. from a reloaded config): REPORT TARGET PORT GROUPS reports it, commands through a
    /// standby or unavailable group are refused, and every nexus gets ASYMMETRIC ACCESS STATE CHANGED
    /// (SPC-4 5.16.2.6). Nothing happens when the group already has that state.
    /// </summary>
    /// <exception cref="ArgumentException">The target did not start with that portal group.</exception>
    public void SetPortalGroupState(ushort group, TargetPortGroupState state)
    {
        var context = _context ?? throw new InvalidOperationException("start the target first");
        if (!HasGroup(group))
        {
            throw new ArgumentException($"portal group {group} is not one the target started with", nameof(group));
        }

        foreach (var target in context.Targets.Values)
        {
            if (target.Device.GetTargetPortGroupState(group) != state)
            {
                target.Device.SetTargetPortGroupState(group, state);
                TargetLog.PortalGroupStateSet(_logger, target.Name, group, state);
            }
        }
    }

    /// <summary>Why <see cref="GrowLunAsync"/> would refuse this size, or null when it would grow the LUN; changes nothing.</summary>
    public string? CheckLunGrowth(string targetName, ulong lun, long newSizeBytes)
    {
        var context = _context ?? throw new InvalidOperationException("start the target first");
        if (!context.Targets.TryGetValue(targetName, out var target) || target.Device.FindLogicalUnit(lun) is not { } unit)
        {
            return $"{targetName} LUN {lun} is not served here";
        }

        var blockSize = unit.Device.Geometry.LogicalBlockSize;
        if (newSizeBytes % blockSize != 0 || newSizeBytes <= unit.CapacityBytes)
        {
            return $"{targetName} LUN {lun}: a LUN grows to a larger whole number of {blockSize}-byte blocks (it has {unit.CapacityBytes} bytes, asked for {newSizeBytes})";
        }

        return unit.Device is IResizableBlockDevice ? null : $"{targetName} LUN {lun}: its backend cannot grow while it serves";
    }

    /// <summary>
    /// Grows a LUN while it serves (file backends): initiators get CAPACITY DATA HAS CHANGED and see
    /// the new size in READ CAPACITY. The size must be a whole number of blocks and larger than now.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown target or LUN, a size that is not larger or not whole blocks, or a backend that cannot grow.</exception>
    public async Task GrowLunAsync(string targetName, ulong lun, long newSizeBytes, CancellationToken cancellationToken = default)
    {
        var context = _context ?? throw new InvalidOperationException("start the target first");
        if (!context.Targets.TryGetValue(targetName, out var target) || target.Device.FindLogicalUnit(lun) is not { } unit)
        {
            throw new ArgumentException($"{targetName} LUN {lun} is not served here", nameof(lun));
        }

        var blockSize = unit.Device.Geometry.LogicalBlockSize;
        if (newSizeBytes % blockSize != 0 || newSizeBytes <= unit.CapacityBytes)
        {
            throw new ArgumentException($"{targetName} LUN {lun}: a LUN grows to a larger whole number of {blockSize}-byte blocks (it has {unit.CapacityBytes} bytes, asked for {newSizeBytes})", nameof(newSizeBytes));
        }

        try
        {
            await target.Device.GrowLogicalUnitAsync(lun, newSizeBytes / blockSize, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{targetName} LUN {lun}: cannot grow: {ex.Message}", nameof(lun), ex);
        }

        TargetLog.LunGrown(_logger, targetName, lun, newSizeBytes);
    }

    private bool HasGroup(ushort group)
    {
        foreach (var portal in Options.Portals)
        {
            if (portal.Group == group)
            {
                return true;
            }
        }

        return false;
    }

    private void OnAccepted(Socket socket, PortalOptions portal)
    {
        if (_stopping.IsCancellationRequested)
        {
            socket.Dispose();
            return;
        }

        var context = _context!;
        if (socket.RemoteEndPoint is not IPEndPoint remote || socket.LocalEndPoint is not { } local)
        {
            socket.Dispose(); // reset before we could look at it
            return;
        }

        if (!context.Admission.TryAdmit(remote.Address, local, out var refusal))
        {
            RefuseConnection(socket, remote, local, refusal!);
            return;
        }

        IscsiConnection connection;
        try
        {
            connection = new IscsiConnection(socket, context, portal);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            context.Admission.Release(remote.Address, local);
            socket.Dispose();
            return;
        }

        _connections.TryAdd(connection, 0);
        connection.Start();
        _ = connection.Completion.ContinueWith(
            (_, state) =>
            {
                _connections.TryRemove((IscsiConnection)state!, out var _);
                context.Admission.Release(remote.Address, local);
            },
            connection,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Closes a connection past a limit with a reset (no TIME_WAIT, the descriptor is free at once).
    /// The first refusal and then every 1000th is logged, so a flood cannot flood the log too.
    /// </summary>
    private void RefuseConnection(Socket socket, IPEndPoint remote, EndPoint local, string limit)
    {
        var refused = _context!.Admission.Refused;
        if (refused == 1 || refused % 1000 == 0)
        {
            TargetLog.ConnectionRefused(_logger, remote, local, limit, refused);
        }

        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }

        socket.Dispose();
    }

    /// <summary>Serves a connection over an in-memory pipe, as if accepted on portal <paramref name="portalIndex"/> (tests, benchmarks).</summary>
    internal IscsiConnection AttachConnection(System.IO.Pipelines.IDuplexPipe pipe, IDisposable transport, int portalIndex = 0)
    {
        var context = _context ?? throw new InvalidOperationException("start the target first");
        var connection = new IscsiConnection(pipe, transport, null, null, context, Options.Portals[portalIndex]);
        _connections.TryAdd(connection, 0);
        connection.Start();
        return connection;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        if (_portals is not null)
        {
            await _portals.CloseAsync().ConfigureAwait(false);
        }

        if (_ownsAddressSource)
        {
            _addresses.Dispose();
        }

        var sessions = SessionCount;
        var closing = new List<Task>();
        foreach (var connection in _connections.Keys)
        {
            connection.Abort("target stopping");
            closing.Add(connection.Completion);
        }

        try
        {
            await Task.WhenAll(closing).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Devices are flushed below regardless: nothing acknowledged is lost.
        }

        await StopOwnershipsAsync().ConfigureAwait(false);
        await DisposeDevicesAsync().ConfigureAwait(false);
        _context?.Metrics.Dispose();
        _context?.Heartbeat.Dispose();
        TargetLog.Stopped(_logger, sessions);
    }

    /// <summary>
    /// Flushes, then closes, every device: a clean stop loses no acknowledged write. A device that
    /// fails either step is logged and the rest are still flushed and closed, so one bad disk
    /// neither loses another LUN's cached writes nor leaks its handle.
    /// </summary>
    private async ValueTask DisposeDevicesAsync()
    {
        foreach (var (target, lun, device) in _devices)
        {
            try
            {
                if ((device.Features & BlockDeviceFeatures.ReadOnly) == 0)
                {
                    await device.FlushAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                TargetLog.DeviceFlushFailed(_logger, target, lun, ex);
            }

            try
            {
                await device.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                TargetLog.DeviceCloseFailed(_logger, target, lun, ex);
            }

            CloseClusterState(device);
        }

        _devices.Clear();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}

/// <summary>The target could not start: a portal would not bind, a LUN file would not open, the options are inconsistent.</summary>
public sealed class TargetStartException : Exception
{
    public TargetStartException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
