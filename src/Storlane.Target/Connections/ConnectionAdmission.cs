using System.Net;

namespace Storlane.Target.Connections;

/// <summary>
/// Counts open connections overall, per portal endpoint and per source address, and refuses one
/// that would pass a limit: a client that opens sockets and never logs in must run out of its own
/// share long before the process runs out of file descriptors.
/// </summary>
internal sealed class ConnectionAdmission
{
    private readonly TargetLimits _limits;
    private volatile int _maxConnections;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Dictionary<EndPoint, int> _perPortal = [];
    private int _total;
    private long _refused;

    /// <param name="descriptorAllowance">Connections the process's descriptor limit leaves room for; null if unknown.</param>
    public ConnectionAdmission(TargetLimits limits, int? descriptorAllowance)
    {
        _limits = limits;
        _maxConnections = Math.Min(limits.MaxConnections, descriptorAllowance ?? int.MaxValue);
    }

    /// <summary>The connection limit in force: max-connections, or less when file descriptors are scarcer.</summary>
    public int MaxConnections => _maxConnections;

    /// <summary>
    /// Takes a new descriptor allowance, counted after more of the process started (the management
    /// API loads dozens of assemblies, and the runtime keeps each one's file open). Connections
    /// already open stay; only new ones are judged against the new limit.
    /// </summary>
    public void SetDescriptorAllowance(int? descriptorAllowance) =>
        _maxConnections = Math.Min(_limits.MaxConnections, descriptorAllowance ?? int.MaxValue);

    /// <summary>Connections refused since the start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public int Open
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>Admits a connection from <paramref name="remote"/> on <paramref name="portal"/>, or says which limit it would pass.</summary>
    public bool TryAdmit(IPAddress remote, EndPoint portal, out string? refusal)
    {
        lock (_lock)
        {
            var fromAddress = _perAddress.GetValueOrDefault(remote);
            var onPortal = _perPortal.GetValueOrDefault(portal);
            refusal = _total >= _maxConnections ? (_maxConnections < _limits.MaxConnections ? "the file-descriptor limit (ulimit -n)" : "max-connections")
                : onPortal >= _limits.MaxConnectionsPerPortal ? "max-connections-per-portal"
                : fromAddress >= _limits.MaxConnectionsPerAddress ? "max-connections-per-address"
                : null;
            if (refusal is not null)
            {
                _refused++;
                return false;
            }

            _total++;
            _perAddress[remote] = fromAddress + 1;
            _perPortal[portal] = onPortal + 1;
            return true;
        }
    }

    /// <summary>An admitted connection closed.</summary>
    public void Release(IPAddress remote, EndPoint portal)
    {
        lock (_lock)
        {
            _total--;
            Decrement(_perAddress, remote);
            Decrement(_perPortal, portal);
        }
    }

    /// <summary>Connections open now on each local endpoint that has any (metrics, the management API).</summary>
    public List<(EndPoint Portal, int Count)> PerPortal()
    {
        lock (_lock)
        {
            var counts = new List<(EndPoint, int)>(_perPortal.Count);
            foreach (var (portal, count) in _perPortal)
            {
                counts.Add((portal, count));
            }

            return counts;
        }
    }

    /// <summary>Entries at zero are removed, so addresses that come and go leave nothing behind.</summary>
    private static void Decrement<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull
    {
        if (counts.TryGetValue(key, out var count))
        {
            if (count <= 1)
            {
                counts.Remove(key);
            }
            else
            {
                counts[key] = count - 1;
            }
        }
    }
}
