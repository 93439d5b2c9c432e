namespace Storlane.Target.Sessions;

/// <summary>
/// All live sessions of the server, by TSIH and by (initiator, ISID, target) for session
/// reinstatement (RFC 7143 6.3.5).
/// </summary>
internal sealed class SessionRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ushort, IscsiSession> _byTsih = [];
    private ushort _lastTsih;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byTsih.Count;
            }
        }
    }

    /// <summary>Registers a new session, returning the one it replaces (same initiator port and target), if any.</summary>
    public IscsiSession? Add(IscsiSession session)
    {
        lock (_lock)
        {
            IscsiSession? replaced = null;
            foreach (var existing in _byTsih.Values)
            {
                if (existing.Isid == session.Isid
                    && string.Equals(existing.InitiatorName, session.InitiatorName, StringComparison.OrdinalIgnoreCase)
                    && string.Equals(existing.TargetName, session.TargetName, StringComparison.OrdinalIgnoreCase))
                {
                    replaced = existing;
                    break;
                }
            }

            if (replaced is not null)
            {
                _byTsih.Remove(replaced.Tsih);
            }

            session.Tsih = NextTsih();
            _byTsih.Add(session.Tsih, session);
            return replaced;
        }
    }

    public IscsiSession? Find(ushort tsih)
    {
        lock (_lock)
        {
            return _byTsih.GetValueOrDefault(tsih);
        }
    }

    public void Remove(IscsiSession session)
    {
        lock (_lock)
        {
            if (_byTsih.TryGetValue(session.Tsih, out var current) && ReferenceEquals(current, session))
            {
                _byTsih.Remove(session.Tsih);
            }
        }
    }

    public List<IscsiSession> Snapshot()
    {
        lock (_lock)
        {
            return [.. _byTsih.Values];
        }
    }

    /// <summary>TSIH is never 0 (0 means "new session" in a login request, RFC 7143 11.12.6).</summary>
    private ushort NextTsih()
    {
        do
        {
            _lastTsih++;
        }
        while (_lastTsih == 0 || _byTsih.ContainsKey(_lastTsih));

        return _lastTsih;
    }
}
