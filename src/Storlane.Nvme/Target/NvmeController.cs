using Microsoft.Extensions.Logging;
using Storlane.Scsi;

namespace Storlane.Nvme.Target;

/// <summary>
/// One controller (dynamic model): created by an admin-queue Connect, joined by I/O-queue Connects
/// with its CNTLID and host NQN, gone when its admin queue closes or its keep-alive timer expires.
/// Holds CC/CSTS, the features a host sets, the AERs it leaves with us, and its queues.
/// </summary>
internal sealed partial class NvmeController : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<NvmeTcpQueue> _queues = [];
    private readonly Queue<(NvmeTcpQueue Queue, ushort CommandId)> _asyncEvents = new();
    private readonly ILogger _logger;
    private readonly Timer? _keepAliveTimer;
    private long _lastKeepAlive = Environment.TickCount64;
    private uint _configuration;
    private uint _status;
    private int _removed;

    public NvmeController(ushort id, NvmeSubsystem subsystem, string hostNqn, Guid hostId, ushort portalGroup, uint keepAliveMs, NvmeLimits limits, ILogger logger)
    {
        Id = id;
        Subsystem = subsystem;
        HostNqn = hostNqn;
        HostId = hostId;
        Nexus = new ItNexus(ReservationHostName(hostNqn, hostId), subsystem.Nqn, portalGroup, portalGroup);
        PortalGroup = portalGroup;
        Limits = limits;
        _logger = logger;
        GrantedIoQueues = limits.MaxIoQueues;

        // KATO is rounded up to the KAS granularity (NVMe base 2.0, 3.9.4); 0 disables the timer.
        KeepAliveMs = keepAliveMs == 0 ? 0 : (uint)(Math.Ceiling(keepAliveMs / 1000.0) * 1000);
        if (KeepAliveMs != 0)
        {
            _keepAliveTimer = new Timer(static state => ((NvmeController)state!).CheckKeepAlive(), this, 1000, 1000);
        }
    }

    public ushort Id { get; }

    public NvmeSubsystem Subsystem { get; }

    public string HostNqn { get; }

    /// <summary>HOSTID of the Connect data: with the host NQN it names the host reservations belong to (base 2.0, 5.27.1.25).</summary>
    public Guid HostId { get; }

    /// <summary>
    /// The host as the SCSI reservation state knows it: the "initiator port" of its registrations,
    /// one name for every controller of the host, so a registration holds on every path (8.19.1).
    /// </summary>
    public ItNexus Nexus { get; }

    /// <summary>The portal group the admin queue connected through: its ALUA state is this controller's ANA state.</summary>
    public ushort PortalGroup { get; }

    public NvmeLimits Limits { get; }

    public uint KeepAliveMs { get; private set; }

    public int GrantedIoQueues { get; set; }

    public uint AsyncEventConfiguration { get; set; }

    public uint Configuration
    {
        get
        {
            lock (_lock)
            {
                return _configuration;
            }
        }
    }

    public uint Status
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }
    }

    public bool IsReady => (Status & ControllerProperties.StatusReady) != 0;

    public bool IsRemoved => Volatile.Read(ref _removed) != 0;

    /// <summary>The ANA state of this controller's path: the ALUA state of its portal group on the SCSI side.</summary>
    public AnaState AnaState => Subsystem.Device?.GetTargetPortGroupState(PortalGroup) switch
    {
        TargetPortGroupState.ActiveNonOptimized => AnaState.NonOptimized,
        TargetPortGroupState.Standby or TargetPortGroupState.Unavailable => AnaState.Inaccessible,
        _ => AnaState.Optimized,
    };

    /// <summary>The ANA state of one namespace's group through this path: inaccessible while its LUN is offline.</summary>
    public AnaState AnaStateOf(NvmeNamespace ns) => ns.Unit.IsOffline ? AnaState.Inaccessible : AnaState;

    public void KeepAlive() => Volatile.Write(ref _lastKeepAlive, Environment.TickCount64);

    public void SetKeepAliveTimeout(uint ms)
    {
        KeepAliveMs = ms == 0 ? 0 : (uint)(Math.Ceiling(ms / 1000.0) * 1000);
        KeepAlive();
        if (KeepAliveMs != 0)
        {
            _keepAliveTimer?.Change(1000, 1000);
        }
    }

    /// <summary>
    /// Property Set CC (base 2.0, 3.5): EN 0 to 1 makes the controller ready; EN 1 to 0 resets it
    /// (its I/O queues close, held AERs end); SHN set completes a shutdown (CSTS.SHST = 10b).
    /// </summary>
    public void SetConfiguration(uint value)
    {
        List<NvmeTcpQueue>? closing = null;
        lock (_lock)
        {
            var wasEnabled = (_configuration & ControllerProperties.ConfigurationEnable) != 0;
            var enable = (value & ControllerProperties.ConfigurationEnable) != 0;
            _configuration = value;
            var shutdown = ((value >> ControllerProperties.ConfigurationShutdownShift) & 0b11) != 0;
            if (enable && !wasEnabled)
            {
                _status = ControllerProperties.StatusReady;
            }
            else if (!enable && wasEnabled)
            {
                _status = 0;
                closing = IoQueues();
                _asyncEvents.Clear();
            }

            if (shutdown)
            {
                _status = (_status & ~(0b11u << 2)) | ControllerProperties.StatusShutdownComplete;
            }
            else
            {
                _status &= ~(0b11u << 2);
            }
        }

        if (closing is not null)
        {
            foreach (var queue in closing)
            {
                queue.Close("controller reset (CC.EN cleared)");
            }
        }
    }

    /// <summary>Adds an I/O queue; false when the QID is taken or beyond the granted count.</summary>
    public bool TryAddQueue(NvmeTcpQueue queue, ushort qid)
    {
        lock (_lock)
        {
            if (IsRemoved || (qid != 0 && qid > GrantedIoQueues))
            {
                return false;
            }

            foreach (var known in _queues)
            {
                if (known.QueueId == qid)
                {
                    return false;
                }
            }

            _queues.Add(queue);
            return true;
        }
    }

    public void RemoveQueue(NvmeTcpQueue queue)
    {
        bool admin;
        lock (_lock)
        {
            _queues.Remove(queue);
            admin = queue.QueueId == 0;
        }

        if (admin)
        {
            Remove("admin queue closed");
        }
    }

    /// <summary>Holds an AER; false when <see cref="NvmeLimits.MaxAsyncEvents"/> are held already.</summary>
    public bool TryHoldAsyncEvent(NvmeTcpQueue queue, ushort commandId)
    {
        lock (_lock)
        {
            if (_asyncEvents.Count >= Limits.MaxAsyncEvents)
            {
                return false;
            }

            _asyncEvents.Enqueue((queue, commandId));
            return true;
        }
    }

    /// <summary>
    /// Reports an ANA change (base 2.0, 5.2, figure 150: type 2h notice, information 03h, log page
    /// 0Ch) through a held AER, when the host enabled ANA change notices.
    /// </summary>
    public void NotifyAnaChange()
    {
        (NvmeTcpQueue Queue, ushort CommandId) held;
        lock (_lock)
        {
            if ((AsyncEventConfiguration & (1u << 11)) == 0 || !_asyncEvents.TryDequeue(out held))
            {
                return;
            }
        }

        var dword0 = 0x2u | (0x03u << 8) | ((uint)LogPageId.Ana << 16);
        held.Queue.CompleteHeld(held.CommandId, dword0);
    }

    /// <summary>Ends the controller: every queue closes, the CNTLID is free again.</summary>
    public void Remove(string reason)
    {
        if (Interlocked.Exchange(ref _removed, 1) != 0)
        {
            return;
        }

        _keepAliveTimer?.Dispose();
        Subsystem.RemoveController(this);
        NvmeTcpQueue[] queues;
        lock (_lock)
        {
            queues = [.. _queues];
            _queues.Clear();
            _asyncEvents.Clear();
        }

        foreach (var queue in queues)
        {
            queue.Close(reason);
        }

        NvmeLog.ControllerRemoved(_logger, Id, Subsystem.Nqn, reason);
    }

    private List<NvmeTcpQueue> IoQueues()
    {
        var list = new List<NvmeTcpQueue>();
        foreach (var queue in _queues)
        {
            if (queue.QueueId != 0)
            {
                list.Add(queue);
            }
        }

        return list;
    }

    /// <summary>
    /// "If a Keep Alive command is not received within the Keep Alive Timeout, the controller shall
    /// ... stop processing commands ... and ... terminate the NVMe Transport connections" (base 2.0,
    /// 3.9.4.2 / Fabrics 1.1, 3.7). Checked once per KAS granularity (1 s).
    /// </summary>
    private void CheckKeepAlive()
    {
        var timeout = KeepAliveMs;
        if (timeout == 0 || IsRemoved)
        {
            return;
        }

        if (Environment.TickCount64 - Volatile.Read(ref _lastKeepAlive) > timeout + 1000)
        {
            NvmeLog.KeepAliveExpired(_logger, Id, Subsystem.Nqn, timeout);
            Remove("keep-alive timeout");
        }
    }

    /// <summary>"NQN,hostid,UUID": distinct from every iSCSI initiator port name ("iqn...,i,0x..."), stable across reconnects.</summary>
    internal static string ReservationHostName(string hostNqn, Guid hostId) => hostNqn + ",hostid," + hostId.ToString("D");

    public void Dispose() => _keepAliveTimer?.Dispose();
}
