using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Storlane.Scsi;
using Storlane.Storage;
using Storlane.Storage.Vhdx;
using Storlane.Target.Connections;

namespace Storlane.Target;

/// <summary>
/// The iSCSI target: opens every LUN's device, listens on every portal, serves sessions until
/// stopped. Stop closes the listeners, aborts in-flight commands and flushes every device.
/// </summary>
public sealed class IscsiTargetServer : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly List<IPEndPoint> _bound = [];
    private readonly List<IBlockDevice> _devices = [];
    private readonly ConcurrentDictionary<IscsiConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private ServerContext? _context;
    private int _stopped;

    public IscsiTargetServer(TargetServerOptions options, ILoggerFactory loggerFactory)
    {
        Options = options;
        _logger = loggerFactory.CreateLogger("Storlane.Target");
    }

    public TargetServerOptions Options { get; }

    /// <summary>The endpoints actually bound, in portal order (a portal with port 0 gets an ephemeral port).</summary>
    public IReadOnlyList<IPEndPoint> BoundEndpoints => _bound;

    /// <summary>Sessions currently logged in (discovery included).</summary>
    public int SessionCount => _context?.Sessions.Count ?? 0;

    /// <summary>Opens the LUNs and binds every portal; throws <see cref="TargetStartException"/> with a clear reason.</summary>
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

        try
        {
            var targets = OpenTargets();
            _context = new ServerContext(Options, targets, _logger);
            foreach (var portal in Options.Portals)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Listen(portal);
            }
        }
        catch
        {
            CloseListeners();
            DisposeDevicesAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        return Task.CompletedTask;
    }

    private Dictionary<string, TargetNode> OpenTargets()
    {
        var targets = new Dictionary<string, TargetNode>(StringComparer.OrdinalIgnoreCase);
        foreach (var options in Options.Targets)
        {
            if (targets.ContainsKey(options.Name))
            {
                throw new TargetStartException($"target {options.Name} is configured twice");
            }

            var device = new ScsiTargetDevice(options.Name);
            device.AbortTasks = (lun, match) => AbortTasks(device, lun, match);

            // Every portal group is a target port (relative port id = TPGT) and its own ALUA group,
            // known before any initiator uses it so REPORT/SET TARGET PORT GROUPS see them all.
            foreach (var portal in Options.Portals)
            {
                device.AddTargetPort(portal.Group, portal.Group);
            }
            foreach (var lun in options.Luns)
            {
                var block = OpenDevice(options, lun);
                _devices.Add(block);
                device.AddLogicalUnit(lun.Lun, block, new LogicalUnitOptions
                {
                    Serial = lun.Serial,
                    ReadOnly = lun.ReadOnly,
                    Removable = lun.Removable,

                    // A VHDX carries its own SCSI identity ("Page 83 Data", MS-VHDX 2.6.2.6), so the
                    // disk keeps its designator wherever it is served.
                    NaaIdentifier = block is VhdxBlockDevice vhdx ? vhdx.NaaIdentifier : null,

                    // APTPL reservations live beside the image so they survive a restart (SPC-4 5.12.4).
                    ReservationStatePath = lun.Backend == LunBackend.Memory ? null : Path.GetFullPath(lun.Path!) + ".pr",
                });
                TargetLog.ServingLun(_logger, options.Name, lun.Lun, block.Geometry.ToString(), lun.Backend == LunBackend.Memory ? "memory" : $"{lun.Backend.ToString().ToLowerInvariant()} {lun.Path}");
            }

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

    private static IBlockDevice OpenDevice(TargetOptions target, LunOptions lun)
    {
        try
        {
            var geometry = lun.Geometry;
            return lun.Backend switch
            {
                LunBackend.Memory => new MemoryBlockDevice(geometry, lun.ReadOnly ? BlockDeviceFeatures.Unmap | BlockDeviceFeatures.ReadOnly : BlockDeviceFeatures.Unmap),
                LunBackend.Vhdx => VhdxBlockDevice.OpenOrCreate(lun.Path ?? throw new TargetStartException($"{target.Name} LUN {lun.Lun}: the vhdx backend needs a path"), geometry, lun.ReadOnly),
                _ => FileBlockDevice.OpenOrCreate(lun.Path ?? throw new TargetStartException($"{target.Name} LUN {lun.Lun}: the file backend needs a path"), geometry, lun.ReadOnly),
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
        {
            throw new TargetStartException($"{target.Name} LUN {lun.Lun}: {ex.Message}", ex);
        }
    }

    private void Listen(PortalOptions portal)
    {
        if (!IPAddress.TryParse(portal.Address, out var address))
        {
            throw new TargetStartException($"portal {portal}: '{portal.Address}' is not an IP address");
        }

        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, portal.Port));
            socket.Listen(128);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new TargetStartException($"portal {portal}: cannot listen ({ex.SocketErrorCode}: {ex.Message})", ex);
        }

        var bound = (IPEndPoint)socket.LocalEndPoint!;
        _listeners.Add(socket);
        _bound.Add(bound);
        _context!.Portals.Add((bound.Address.ToString(), bound.Port, portal.Group));
        TargetLog.Listening(_logger, bound, portal.Group);
        _acceptLoops.Add(AcceptLoopAsync(socket, portal));
    }

    private async Task AcceptLoopAsync(Socket listener, PortalOptions portal)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            // iSCSI PDUs are small and latency-bound: no Nagle delay.
            socket.NoDelay = true;
            var connection = new IscsiConnection(socket, _context!, portal);
            _connections.TryAdd(connection, 0);
            connection.Start();
            _ = connection.Completion.ContinueWith(
                (_, state) => _connections.TryRemove((IscsiConnection)state!, out var _),
                connection,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
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
        CloseListeners();
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
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

        await DisposeDevicesAsync().ConfigureAwait(false);
        TargetLog.Stopped(_logger, sessions);
    }

    private void CloseListeners()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }
    }

    /// <summary>Flushes, then closes, every device: a clean stop loses no acknowledged write.</summary>
    private async ValueTask DisposeDevicesAsync()
    {
        foreach (var device in _devices)
        {
            try
            {
                if ((device.Features & BlockDeviceFeatures.ReadOnly) == 0)
                {
                    await device.FlushAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                await device.DisposeAsync().ConfigureAwait(false);
            }
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
