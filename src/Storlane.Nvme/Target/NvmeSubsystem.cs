using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Storlane.Scsi;

namespace Storlane.Nvme.Target;

/// <summary>
/// An NVM subsystem: the namespaces of one SCSI target device (or none, for the discovery
/// subsystem), its controllers by CNTLID, and the counters SMART reports.
/// </summary>
internal sealed partial class NvmeSubsystem : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ushort, NvmeController> _controllers = [];
    private readonly HashSet<string> _allowedHosts;
    private readonly int _maxControllers;
    private Dictionary<LogicalUnit, NvmeNamespace> _namespaces = [];
    private ushort _nextControllerId = 1;

    public NvmeSubsystem(string nqn, ScsiTargetDevice? device, IReadOnlyList<string> allowedHosts, int maxControllers)
    {
        Nqn = nqn;
        Device = device;
        _allowedHosts = new HashSet<string>(allowedHosts, StringComparer.Ordinal);
        _maxControllers = maxControllers;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(nqn), hash);
        Serial = Convert.ToHexString(hash[..10]);
        if (device is not null)
        {
            device.ReservationNoticeRaised += OnReservationNotice;
        }
    }

    /// <summary>NN and MNAN: LUNs 0..1023 are namespaces 1..1024 (a host sizes its ANA log buffer by this).</summary>
    public const uint MaxNamespaces = 1024;

    public string Nqn { get; }

    public ScsiTargetDevice? Device { get; }

    public bool IsDiscovery => Device is null;

    /// <summary>SN of Identify Controller: one per subsystem, so a host sees every path's controller as the same subsystem.</summary>
    public string Serial { get; }

    public long BytesRead;
    public long BytesWritten;
    public long ReadCommands;
    public long WriteCommands;

    public DateTime Started { get; } = DateTime.UtcNow;

    public bool Allows(string hostNqn) => _allowedHosts.Count == 0 || _allowedHosts.Contains(hostNqn);

    /// <summary>The namespaces now, ascending by NSID (LUs added or removed live follow).</summary>
    public IReadOnlyList<NvmeNamespace> Namespaces()
    {
        if (Device is null)
        {
            return [];
        }

        var units = Device.LogicalUnits;
        var known = _namespaces;
        var list = new List<NvmeNamespace>(units.Count);
        var changed = false;
        foreach (var unit in units)
        {
            if (unit.Lun >= MaxNamespaces)
            {
                continue;
            }

            if (!known.TryGetValue(unit, out var ns))
            {
                ns = new NvmeNamespace(unit);
                changed = true;
            }

            list.Add(ns);
        }

        if (changed || list.Count != known.Count)
        {
            var next = new Dictionary<LogicalUnit, NvmeNamespace>(list.Count);
            foreach (var ns in list)
            {
                next[ns.Unit] = ns;
            }

            _namespaces = next;
        }

        return list;
    }

    public NvmeNamespace? FindNamespace(uint nsid)
    {
        if (Device is null || nsid == 0 || nsid > MaxNamespaces)
        {
            return null;
        }

        var unit = Device.FindLogicalUnit(nsid - 1);
        if (unit is null)
        {
            return null;
        }

        var known = _namespaces;
        if (known.TryGetValue(unit, out var ns))
        {
            return ns;
        }

        Namespaces();
        return _namespaces.TryGetValue(unit, out ns) ? ns : new NvmeNamespace(unit);
    }

    /// <summary>A new controller (dynamic controller model); null when the subsystem holds its limit of controllers.</summary>
    public NvmeController? CreateController(Func<ushort, NvmeController> create)
    {
        lock (_lock)
        {
            if (_controllers.Count >= _maxControllers)
            {
                return null;
            }

            // CNTLID 0001h..FFEFh (NVMe base 2.0, 5.17.2.1); skip ones still in use after a wrap.
            while (_controllers.ContainsKey(_nextControllerId))
            {
                _nextControllerId = Next(_nextControllerId);
            }

            var controller = create(_nextControllerId);
            _controllers.Add(_nextControllerId, controller);
            _nextControllerId = Next(_nextControllerId);
            return controller;
        }
    }

    public NvmeController? FindController(ushort id)
    {
        lock (_lock)
        {
            return _controllers.GetValueOrDefault(id);
        }
    }

    public void RemoveController(NvmeController controller)
    {
        lock (_lock)
        {
            if (_controllers.TryGetValue(controller.Id, out var known) && ReferenceEquals(known, controller))
            {
                _controllers.Remove(controller.Id);
            }
        }
    }

    public NvmeController[] Controllers()
    {
        lock (_lock)
        {
            return [.. _controllers.Values];
        }
    }

    private static ushort Next(ushort id) => id >= 0xFFEF ? (ushort)1 : (ushort)(id + 1);

    public override string ToString() => Nqn + " (" + (Device?.TargetName ?? "discovery") + ", " + Serial.ToString(CultureInfo.InvariantCulture) + ")";
}
